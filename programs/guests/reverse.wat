;; A guest that returns its input reversed: the smallest program that shows input and output
;; crossing the guest ABI (memory, alloc(len) -> ptr, run(ptr, len) -> (out_ptr << 32) | out_len).
(module
  (memory (export "memory") 2)
  ;; bump allocator: the heap starts at 1 KiB and never frees (one job per instance)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    ;; refuse what does not fit in the current memory: 0 signals failure to the host
    (if (i32.gt_u (i32.add (local.get $ptr) (local.get $len))
                  (i32.mul (memory.size) (i32.const 65536)))
      (then (return (i32.const 0))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))
  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $out i32)
    (local $i i32)
    (local.set $out (call 0 (local.get $len)))
    (if (i32.eqz (local.get $out)) (then (unreachable)))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8
          (i32.add (local.get $out) (local.get $i))
          (i32.load8_u
            (i32.sub (i32.add (local.get $ptr) (local.get $len))
                     (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
      (i64.extend_i32_u (local.get $len)))))
