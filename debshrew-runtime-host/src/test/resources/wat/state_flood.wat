;; Hostile: writes state forever, a 60 000-byte value under a fresh 4-byte key on every iteration.
;; Without a cap on the state a block may write, this exhausts the host's heap.
(module
  (import "env" "__set_state" (func $set_state (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\04\00\00\00")   ;; key LP buffer: length 4, then the counter at 4
  (data (i32.const 16) "\60\ea\00\00")  ;; value LP buffer: length 60000 (zeros) at 16
  (func (export "process_block") (result i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.const 4) (local.get $i))
      (drop (call $set_state (i32.const 0) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))
    (i32.const 0))
)
