(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))
  (func (export "process_block") (result i32) (i32.const 0))
)
