;; A misbehaving guest: `run` recurses as deep as its input asks (the first four bytes, an
;; unsigned little-endian depth; shorter input means 2^32 - 1, deeper than any stack). The
;; output is the depth reached, four bytes little-endian, so shallow runs succeed and show
;; the recursion really happened, while deep ones exhaust the executor's bounded stack.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (if (i32.gt_u (i32.add (local.get $ptr) (local.get $len))
                  (i32.mul (memory.size) (i32.const 65536)))
      (then (return (i32.const 0))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))
  ;; not a tail call: the addition after the call keeps every frame alive
  (func $descend (param $depth i32) (result i32)
    (if (result i32) (i32.eqz (local.get $depth))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $descend (i32.sub (local.get $depth) (i32.const 1)))))))
  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $depth i32)
    (local $out i32)
    (local.set $depth (i32.const -1))
    (if (i32.ge_u (local.get $len) (i32.const 4))
      (then (local.set $depth (i32.load (local.get $ptr)))))
    (local.set $out (call $alloc (i32.const 4)))
    (if (i32.eqz (local.get $out)) (then (unreachable)))
    (i32.store (local.get $out) (call $descend (local.get $depth)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
            (i64.const 4))))
