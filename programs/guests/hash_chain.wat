;; Hash chain: SHA-256 (FIPS 180-4) applied n times to a seed, a job whose cost the requester
;; dials with n and whose result anyone can check with any SHA-256.
;;
;; Input:  n as a 4-byte little-endian unsigned integer, then the seed (any length, may be empty).
;;         An input shorter than 4 bytes traps (`unreachable`).
;; Output: SHA-256^n(seed): h_0 = SHA-256(seed), h_{i+1} = SHA-256(h_i), output h_{n-1}, 32 bytes.
;;         n = 0 applies the hash no time at all and returns the seed unchanged.
;; Cost: about 9,000 fuel per link and per 64 bytes of seed; the default budget of 10^9 fuel
;;       buys about 110,000 links.
;;
;; Memory layout (bytes):
;;     0  K, the 64 round constants, as little-endian words
;;   256  the initial hash value H(0)
;;   288  H, the running hash value (8 words)
;;   320  W, the message schedule (64 words)
;;   576  the padded last block(s) of the seed (128 bytes)
;;   704  the chain block: a 32-byte digest followed by its constant padding (64 bytes)
;;  1024  the heap
(module
  (memory (export "memory") 1)
  (global $k i32 (i32.const 0))
  (global $iv i32 (i32.const 256))
  (global $state i32 (i32.const 288))
  (global $schedule i32 (i32.const 320))
  (global $tail i32 (i32.const 576))
  (global $chain i32 (i32.const 704))
  (data (i32.const 0)
    "\98\2f\8a\42\91\44\37\71\cf\fb\c0\b5\a5\db\b5\e9\5b\c2\56\39\f1\11\f1\59\a4\82\3f\92\d5\5e\1c\ab"
    "\98\aa\07\d8\01\5b\83\12\be\85\31\24\c3\7d\0c\55\74\5d\be\72\fe\b1\de\80\a7\06\dc\9b\74\f1\9b\c1"
    "\c1\69\9b\e4\86\47\be\ef\c6\9d\c1\0f\cc\a1\0c\24\6f\2c\e9\2d\aa\84\74\4a\dc\a9\b0\5c\da\88\f9\76"
    "\52\51\3e\98\6d\c6\31\a8\c8\27\03\b0\c7\7f\59\bf\f3\0b\e0\c6\47\91\a7\d5\51\63\ca\06\67\29\29\14"
    "\85\0a\b7\27\38\21\1b\2e\fc\6d\2c\4d\13\0d\38\53\54\73\0a\65\bb\0a\6a\76\2e\c9\c2\81\85\2c\72\92"
    "\a1\e8\bf\a2\4b\66\1a\a8\70\8b\4b\c2\a3\51\6c\c7\19\e8\92\d1\24\06\99\d6\85\35\0e\f4\70\a0\6a\10"
    "\16\c1\a4\19\08\6c\37\1e\4c\77\48\27\b5\bc\b0\34\b3\0c\1c\39\4a\aa\d8\4e\4f\ca\9c\5b\f3\6f\2e\68"
    "\ee\82\8f\74\6f\63\a5\78\14\78\c8\84\08\02\c7\8c\fa\ff\be\90\eb\6c\50\a4\f7\a3\f9\be\f2\78\71\c6")
  (data (i32.const 256)
    "\67\e6\09\6a\85\ae\67\bb\72\f3\6e\3c\3a\f5\4f\a5\7f\52\0e\51\8c\68\05\9b\ab\d9\83\1f\19\cd\e0\5b")
  ;; the padding of a 32-byte message: 0x80, zeros, and its length (256 bits) big-endian
  (data (i32.const 736)
    "\80\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\01\00")

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

  ;; SHA-256 reads and writes big-endian words; wasm loads and stores little-endian ones
  (func $bswap (param $x i32) (result i32)
    (i32.or
      (i32.and (i32.rotl (local.get $x) (i32.const 8)) (i32.const 0x00ff00ff))
      (i32.and (i32.rotr (local.get $x) (i32.const 8)) (i32.const 0xff00ff00))))

  ;; W[0..16) from the block, then W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]
  (func $expand (param $block i32)
    (local $t i32)
    (local $w i32)
    (local $w15 i32)
    (local $w2 i32)
    (loop $load
      (i32.store
        (i32.add (global.get $schedule) (local.get $t))
        (call $bswap (i32.load (i32.add (local.get $block) (local.get $t)))))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $load (i32.lt_u (local.get $t) (i32.const 64))))
    (loop $extend
      (local.set $w (i32.add (global.get $schedule) (local.get $t)))
      (local.set $w15 (i32.load (i32.sub (local.get $w) (i32.const 60))))
      (local.set $w2 (i32.load (i32.sub (local.get $w) (i32.const 8))))
      (i32.store (local.get $w)
        (i32.add
          (i32.add
            (i32.xor (i32.xor (i32.rotr (local.get $w2) (i32.const 17))
                              (i32.rotr (local.get $w2) (i32.const 19)))
                     (i32.shr_u (local.get $w2) (i32.const 10)))
            (i32.load (i32.sub (local.get $w) (i32.const 28))))
          (i32.add
            (i32.xor (i32.xor (i32.rotr (local.get $w15) (i32.const 7))
                              (i32.rotr (local.get $w15) (i32.const 18)))
                     (i32.shr_u (local.get $w15) (i32.const 3)))
            (i32.load (i32.sub (local.get $w) (i32.const 64))))))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $extend (i32.lt_u (local.get $t) (i32.const 256)))))

  ;; one application of the compression function: H += rounds(H, W(block))
  (func $compress (param $block i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    (local $t i32) (local $t1 i32) (local $t2 i32)
    (call $expand (local.get $block))
    (local.set $a (i32.load offset=0 (global.get $state)))
    (local.set $b (i32.load offset=4 (global.get $state)))
    (local.set $c (i32.load offset=8 (global.get $state)))
    (local.set $d (i32.load offset=12 (global.get $state)))
    (local.set $e (i32.load offset=16 (global.get $state)))
    (local.set $f (i32.load offset=20 (global.get $state)))
    (local.set $g (i32.load offset=24 (global.get $state)))
    (local.set $h (i32.load offset=28 (global.get $state)))
    (loop $round
      ;; T1 = h + S1(e) + Ch(e, f, g) + K[t] + W[t], with Ch(e, f, g) = g ^ (e & (f ^ g))
      (local.set $t1
        (i32.add
          (i32.add
            (i32.add (local.get $h)
                     (i32.xor (i32.xor (i32.rotr (local.get $e) (i32.const 6))
                                       (i32.rotr (local.get $e) (i32.const 11)))
                              (i32.rotr (local.get $e) (i32.const 25))))
            (i32.xor (local.get $g)
                     (i32.and (local.get $e) (i32.xor (local.get $f) (local.get $g)))))
          (i32.add (i32.load (i32.add (global.get $k) (local.get $t)))
                   (i32.load (i32.add (global.get $schedule) (local.get $t))))))
      ;; T2 = S0(a) + Maj(a, b, c), with Maj(a, b, c) = (a & b) | (c & (a | b))
      (local.set $t2
        (i32.add
          (i32.xor (i32.xor (i32.rotr (local.get $a) (i32.const 2))
                            (i32.rotr (local.get $a) (i32.const 13)))
                   (i32.rotr (local.get $a) (i32.const 22)))
          (i32.or (i32.and (local.get $a) (local.get $b))
                  (i32.and (local.get $c) (i32.or (local.get $a) (local.get $b))))))
      (local.set $h (local.get $g))
      (local.set $g (local.get $f))
      (local.set $f (local.get $e))
      (local.set $e (i32.add (local.get $d) (local.get $t1)))
      (local.set $d (local.get $c))
      (local.set $c (local.get $b))
      (local.set $b (local.get $a))
      (local.set $a (i32.add (local.get $t1) (local.get $t2)))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br_if $round (i32.lt_u (local.get $t) (i32.const 256))))
    (call $accumulate (i32.const 0) (local.get $a))
    (call $accumulate (i32.const 4) (local.get $b))
    (call $accumulate (i32.const 8) (local.get $c))
    (call $accumulate (i32.const 12) (local.get $d))
    (call $accumulate (i32.const 16) (local.get $e))
    (call $accumulate (i32.const 20) (local.get $f))
    (call $accumulate (i32.const 24) (local.get $g))
    (call $accumulate (i32.const 28) (local.get $h)))

  ;; H[offset / 4] += value
  (func $accumulate (param $offset i32) (param $value i32)
    (local $word i32)
    (local.set $word (i32.add (global.get $state) (local.get $offset)))
    (i32.store (local.get $word) (i32.add (i32.load (local.get $word)) (local.get $value))))

  ;; the digest of the compressed blocks, big-endian, into the first 32 bytes of the chain block
  (func $digest
    (local $offset i32)
    (loop $words
      (i32.store
        (i32.add (global.get $chain) (local.get $offset))
        (call $bswap (i32.load (i32.add (global.get $state) (local.get $offset)))))
      (local.set $offset (i32.add (local.get $offset) (i32.const 4)))
      (br_if $words (i32.lt_u (local.get $offset) (i32.const 32)))))

  ;; SHA-256 of any message: its whole blocks in place, then the rest with the padding
  ;; (0x80, zeros, the length in bits as a big-endian u64) in one or two tail blocks
  (func $hash_message (param $ptr i32) (param $len i32)
    (local $whole i32)
    (local $offset i32)
    (local $rest i32)
    (local $tail_len i32)
    (memory.copy (global.get $state) (global.get $iv) (i32.const 32))
    (local.set $whole (i32.and (local.get $len) (i32.const -64)))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $offset) (local.get $whole)))
        (call $compress (i32.add (local.get $ptr) (local.get $offset)))
        (local.set $offset (i32.add (local.get $offset) (i32.const 64)))
        (br $blocks)))
    (local.set $rest (i32.sub (local.get $len) (local.get $whole)))
    (local.set $tail_len (select (i32.const 64) (i32.const 128)
                                 (i32.lt_u (local.get $rest) (i32.const 56))))
    (memory.fill (global.get $tail) (i32.const 0) (local.get $tail_len))
    (memory.copy (global.get $tail) (i32.add (local.get $ptr) (local.get $whole)) (local.get $rest))
    (i32.store8 (i32.add (global.get $tail) (local.get $rest)) (i32.const 0x80))
    ;; the bit length (len * 8, up to 35 bits) as the last 8 bytes, big-endian
    (i32.store (i32.sub (i32.add (global.get $tail) (local.get $tail_len)) (i32.const 8))
               (call $bswap (i32.shr_u (local.get $len) (i32.const 29))))
    (i32.store (i32.sub (i32.add (global.get $tail) (local.get $tail_len)) (i32.const 4))
               (call $bswap (i32.shl (local.get $len) (i32.const 3))))
    (call $compress (global.get $tail))
    (if (i32.eq (local.get $tail_len) (i32.const 128))
      (then (call $compress (i32.add (global.get $tail) (i32.const 64)))))
    (call $digest))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $links i32)
    (if (i32.lt_u (local.get $len) (i32.const 4)) (then (unreachable)))
    (local.set $links (i32.load (local.get $ptr)))
    (if (i32.eqz (local.get $links))
      (then
        (return (call $pack (i32.add (local.get $ptr) (i32.const 4))
                            (i32.sub (local.get $len) (i32.const 4))))))
    (call $hash_message (i32.add (local.get $ptr) (i32.const 4))
                        (i32.sub (local.get $len) (i32.const 4)))
    ;; each further link hashes the 32-byte digest already sitting in the padded chain block
    (block $done
      (loop $links
        (local.set $links (i32.sub (local.get $links) (i32.const 1)))
        (br_if $done (i32.eqz (local.get $links)))
        (memory.copy (global.get $state) (global.get $iv) (i32.const 32))
        (call $compress (global.get $chain))
        (call $digest)
        (br $links)))
    (call $pack (global.get $chain) (i32.const 32)))

  (func $pack (param $out i32) (param $len i32) (result i64)
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
            (i64.extend_i32_u (local.get $len)))))
