;; Inference of a fixed tiny network: 8 integer features -> 4 hidden units (ReLU) -> 2 logits,
;; and the class the logits pick; the model ships inside the module, the features are private.
;;
;; Input:  exactly 32 bytes, the 8 features as signed i32, little-endian; any other length
;;         traps (`unreachable`).
;; Output: 12 bytes, three little-endian i32: logit 0, logit 1, then the class, the index of the
;;         larger logit (0 on a tie).
;; Arithmetic: i32 throughout, wrapping modulo 2^32 (wasm's i32.mul and i32.add); ReLU compares
;;         the wrapped value as signed. So
;;           hidden[j] = max(0, wrap(b1[j] + sum_i W1[j][i] * x[i]))
;;           logit[k]  = wrap(b2[k] + sum_j W2[k][j] * hidden[j])
;; Cost: about 1,200 fuel.
;;
;; Memory layout (bytes):
;;     0  W1, 4 rows of 8 weights     W1 = [[ 3, -1,  2,  0, -4,  1,  5, -2],
;;                                          [-2,  4,  0,  3,  1, -3,  2,  1],
;;                                          [ 1,  1, -5,  2,  0,  4, -1,  3],
;;                                          [ 0, -3,  1, -1,  6,  2,  0, -4]]
;;   128  b1, 4 biases                b1 = [10, -20, 5, 0]
;;   144  W2, 2 rows of 4 weights     W2 = [[ 2, -3,  1,  4],
;;                                          [-1,  2,  3, -2]]
;;   176  b2, 2 biases                b2 = [-7, 11]
;;   256  the output (12 bytes)
;;   320  the hidden layer (16 bytes)
;;  1024  the heap
(module
  (memory (export "memory") 1)
  (global $w1 i32 (i32.const 0))
  (global $b1 i32 (i32.const 128))
  (global $w2 i32 (i32.const 144))
  (global $b2 i32 (i32.const 176))
  (global $output i32 (i32.const 256))
  (global $hidden i32 (i32.const 320))
  (data (i32.const 0)
    "\03\00\00\00\ff\ff\ff\ff\02\00\00\00\00\00\00\00\fc\ff\ff\ff\01\00\00\00\05\00\00\00\fe\ff\ff\ff"
    "\fe\ff\ff\ff\04\00\00\00\00\00\00\00\03\00\00\00\01\00\00\00\fd\ff\ff\ff\02\00\00\00\01\00\00\00"
    "\01\00\00\00\01\00\00\00\fb\ff\ff\ff\02\00\00\00\00\00\00\00\04\00\00\00\ff\ff\ff\ff\03\00\00\00"
    "\00\00\00\00\fd\ff\ff\ff\01\00\00\00\ff\ff\ff\ff\06\00\00\00\02\00\00\00\00\00\00\00\fc\ff\ff\ff"
    "\0a\00\00\00\ec\ff\ff\ff\05\00\00\00\00\00\00\00"
    "\02\00\00\00\fd\ff\ff\ff\01\00\00\00\04\00\00\00"
    "\ff\ff\ff\ff\02\00\00\00\03\00\00\00\fe\ff\ff\ff"
    "\f9\ff\ff\ff\0b\00\00\00")

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

  ;; out[j] = activation(bias[j] + sum_i weights[j][i] * in[i]) for j < outputs, where the
  ;; activation is ReLU when $relu is set and the identity otherwise
  (func $dense (param $in i32) (param $inputs i32) (param $weights i32) (param $bias i32)
               (param $out i32) (param $outputs i32) (param $relu i32)
    (local $j i32)
    (local $i i32)
    (local $acc i32)
    (loop $units
      (local.set $acc (i32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $i (i32.const 0))
      (loop $terms
        (local.set $acc
          (i32.add (local.get $acc)
                   (i32.mul (i32.load (local.get $weights))
                            (i32.load (i32.add (local.get $in)
                                               (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $weights (i32.add (local.get $weights) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $terms (i32.lt_u (local.get $i) (local.get $inputs))))
      (if (i32.and (local.get $relu) (i32.lt_s (local.get $acc) (i32.const 0)))
        (then (local.set $acc (i32.const 0))))
      (i32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $acc))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $units (i32.lt_u (local.get $j) (local.get $outputs)))))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (if (i32.ne (local.get $len) (i32.const 32)) (then (unreachable)))
    (call $dense (local.get $ptr) (i32.const 8) (global.get $w1) (global.get $b1)
                 (global.get $hidden) (i32.const 4) (i32.const 1))
    (call $dense (global.get $hidden) (i32.const 4) (global.get $w2) (global.get $b2)
                 (global.get $output) (i32.const 2) (i32.const 0))
    (i32.store offset=8 (global.get $output)
      (i32.gt_s (i32.load offset=4 (global.get $output)) (i32.load (global.get $output))))
    (i64.or (i64.shl (i64.extend_i32_u (global.get $output)) (i64.const 32)) (i64.const 12))))
