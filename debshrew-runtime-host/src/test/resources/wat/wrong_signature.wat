(module
  (import "env" "__set_state" (func $set_state (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "process_block") (result i32) (i32.const 0))
)
