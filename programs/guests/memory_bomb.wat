;; A misbehaving guest: `run` grows its memory one page at a time until `memory.grow` fails
;; (returns -1, which is how the store's memory limit shows itself to a guest: no trap), then
;; traps with `unreachable`, as guests that abort on allocation failure do. The executor must
;; still report the memory limit, not a plain trap.
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
    (loop $grow
      (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (unreachable)))
