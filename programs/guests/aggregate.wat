;; Private aggregation: count, sum, min, max and mean of a list of signed 64-bit records.
;;
;; Input:  zero or more records, each a two's-complement i64, little-endian, 8 bytes, back to
;;         back. A length that is not a multiple of 8 traps (`unreachable`): a truncated record
;;         is a malformed job, and a trap is the one failure every executor already reports.
;; Output: 40 bytes, five little-endian 64-bit fields, count unsigned and the others signed:
;;           0 count  number of records
;;           8 sum    the exact sum, added in input order; if any running sum (the sum of a
;;                    prefix of the records) leaves the i64 range the guest traps (`unreachable`)
;;                    rather than wrapping, so every sum it returns is the true one
;;          16 min    smallest record
;;          24 max    largest record
;;          32 mean   floor(sum / count), rounded towards minus infinity (not truncated); the
;;                    exact mean is the rational sum / count, which the host can form itself
;;         With no records every field is 0 (min, max and mean are undefined, count says so).
;; Cost: about 40 fuel per record plus a constant, so 1 KiB of input takes a few thousand fuel.
(module
  (memory (export "memory") 1)
  ;; the 40-byte output lives below the heap, at a non-zero address so that no host mistakes
  ;; it for a null pointer
  (global $output i32 (i32.const 512))
  ;; bump allocator: the heap starts at 1 KiB, grows memory on demand and never frees
  ;; (one job per instance)
  (global $heap (mut i32) (i32.const 1024))
  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local $end i64)
    (local $capacity i64)
    (local.set $ptr (global.get $heap))
    (local.set $end (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $len))))
    (local.set $capacity (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16)))
    (if (i64.gt_u (local.get $end) (local.get $capacity))
      (then
        ;; 0 signals failure to the host when the missing pages cannot be had
        (if (i32.eq
              (memory.grow
                (i32.wrap_i64
                  (i64.shr_u (i64.add (i64.sub (local.get $end) (local.get $capacity))
                                      (i64.const 65535))
                             (i64.const 16))))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (i32.wrap_i64 (local.get $end)))
    (local.get $ptr))

  ;; sum + value, trapping where the signed addition overflows (both operands' signs differ
  ;; from the result's)
  (func $checked_add (param $sum i64) (param $value i64) (result i64)
    (local $result i64)
    (local.set $result (i64.add (local.get $sum) (local.get $value)))
    (if (i64.lt_s
          (i64.and (i64.xor (local.get $sum) (local.get $result))
                   (i64.xor (local.get $value) (local.get $result)))
          (i64.const 0))
      (then (unreachable)))
    (local.get $result))

  ;; floor(sum / count) for count > 0: i64.div_s truncates towards zero, so a negative
  ;; quotient with a remainder is one too high
  (func $floor_div (param $sum i64) (param $count i64) (result i64)
    (local $quotient i64)
    (local.set $quotient (i64.div_s (local.get $sum) (local.get $count)))
    (if (i32.and (i64.lt_s (local.get $sum) (i64.const 0))
                 (i64.ne (i64.rem_s (local.get $sum) (local.get $count)) (i64.const 0)))
      (then (local.set $quotient (i64.sub (local.get $quotient) (i64.const 1)))))
    (local.get $quotient))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $count i64)
    (local $sum i64)
    (local $min i64)
    (local $max i64)
    (local $mean i64)
    (local $value i64)
    (local $cursor i32)
    (local $end i32)
    (if (i32.and (local.get $len) (i32.const 7)) (then (unreachable)))
    (local.set $count (i64.extend_i32_u (i32.shr_u (local.get $len) (i32.const 3))))
    (if (i64.ne (local.get $count) (i64.const 0))
      (then
        (local.set $min (i64.load (local.get $ptr)))
        (local.set $max (local.get $min))
        (local.set $cursor (local.get $ptr))
        (local.set $end (i32.add (local.get $ptr) (local.get $len)))
        (loop $records
          (local.set $value (i64.load (local.get $cursor)))
          (local.set $sum (call $checked_add (local.get $sum) (local.get $value)))
          (if (i64.lt_s (local.get $value) (local.get $min))
            (then (local.set $min (local.get $value))))
          (if (i64.gt_s (local.get $value) (local.get $max))
            (then (local.set $max (local.get $value))))
          (local.set $cursor (i32.add (local.get $cursor) (i32.const 8)))
          (br_if $records (i32.lt_u (local.get $cursor) (local.get $end))))
        (local.set $mean (call $floor_div (local.get $sum) (local.get $count)))))
    (i64.store offset=0 (global.get $output) (local.get $count))
    (i64.store offset=8 (global.get $output) (local.get $sum))
    (i64.store offset=16 (global.get $output) (local.get $min))
    (i64.store offset=24 (global.get $output) (local.get $max))
    (i64.store offset=32 (global.get $output) (local.get $mean))
    (i64.or (i64.shl (i64.extend_i32_u (global.get $output)) (i64.const 32)) (i64.const 40))))
