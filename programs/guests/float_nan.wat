;; A guest whose floats would differ between machines without NaN canonicalisation: `run`
;; ignores its input and returns the raw bits of seven NaN-producing operations, little-endian:
;; four f32 results (0/0, signalling NaN + 1, sqrt(-1), f64 payload NaN demoted to f32), then
;; three f64 results (0/0, payload NaN + 1, signalling f32 NaN promoted to f64). Wasm lets
;; each of them be any NaN; a canonicalising executor must give 0x7fc00000 and
;; 0x7ff8000000000000 for all of them. Operands sit in mutable globals so that no compiler can
;; fold the operations away.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $zero32 (mut f32) (f32.const 0))
  (global $minus_one32 (mut f32) (f32.const -1))
  (global $snan32 (mut f32) (f32.const nan:0x200001))
  (global $zero64 (mut f64) (f64.const 0))
  (global $payload64 (mut f64) (f64.const nan:0x123))
  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (if (i32.gt_u (i32.add (local.get $ptr) (local.get $len))
                  (i32.mul (memory.size) (i32.const 65536)))
      (then (return (i32.const 0))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))
  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $out i32)
    (local.set $out (call $alloc (i32.const 40)))
    (if (i32.eqz (local.get $out)) (then (unreachable)))
    (i32.store (local.get $out)
      (i32.reinterpret_f32 (f32.div (global.get $zero32) (global.get $zero32))))
    (i32.store offset=4 (local.get $out)
      (i32.reinterpret_f32 (f32.add (global.get $snan32) (f32.const 1))))
    (i32.store offset=8 (local.get $out)
      (i32.reinterpret_f32 (f32.sqrt (global.get $minus_one32))))
    (i32.store offset=12 (local.get $out)
      (i32.reinterpret_f32 (f32.demote_f64 (global.get $payload64))))
    (i64.store offset=16 (local.get $out)
      (i64.reinterpret_f64 (f64.div (global.get $zero64) (global.get $zero64))))
    (i64.store offset=24 (local.get $out)
      (i64.reinterpret_f64 (f64.add (global.get $payload64) (f64.const 1))))
    (i64.store offset=32 (local.get $out)
      (i64.reinterpret_f64 (f64.promote_f32 (global.get $snan32))))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
            (i64.const 40))))
