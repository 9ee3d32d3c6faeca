;; A misbehaving guest: `run` never returns. It follows the guest ABI, so only the executor's
;; fuel budget (out of fuel) or its wall-clock deadline (timeout) can end the job.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (if (i32.gt_u (i32.add (local.get $ptr) (local.get $len))
                  (i32.mul (memory.size) (i32.const 65536)))
      (then (return (i32.const 0))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))
  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (loop $forever (br $forever))
    (i64.const 0)))
