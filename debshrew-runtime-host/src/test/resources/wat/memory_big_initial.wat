;; Declares 8 initial pages, no maximum. Grows by <height> pages; records [grow result][memory.size] in state "grow".
(module
  (import "env" "__height" (func $height (result i32)))
  (import "env" "__set_state" (func $set_state (param i32 i32) (result i32)))
  (memory (export "memory") 8)
  (data (i32.const 0) "\04\00\00\00grow")
  (func (export "process_block") (result i32)
    (i32.store (i32.const 100) (i32.const 8))
    (i32.store (i32.const 104) (memory.grow (call $height)))
    (i32.store (i32.const 108) (memory.size))
    (drop (call $set_state (i32.const 0) (i32.const 100)))
    (i32.const 0))
)
