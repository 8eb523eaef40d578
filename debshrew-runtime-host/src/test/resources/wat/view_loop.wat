;; Calls __view("getbalance", 0x0102) 20 times, then returns 0.
(module
  (import "env" "__view" (func $view (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\0a\00\00\00getbalance")
  (data (i32.const 32) "\02\00\00\00\01\02")
  (func (export "process_block") (result i32)
    (local $i i32)
    (loop $l
      (drop (call $view (i32.const 0) (i32.const 32)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20))))
    (i32.const 0))
)
