(module
  (import "env" "__height" (func $height (result i32)))
  (import "env" "__secret_rng" (func $rng (result i64)))
  (memory (export "memory") 1)
  (func (export "process_block") (result i32) (i32.const 0))
)
