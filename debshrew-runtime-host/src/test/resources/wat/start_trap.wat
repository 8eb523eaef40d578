;; The start function traps: instantiation fails for every block.
(module
  (memory (export "memory") 1)
  (func $start unreachable)
  (start $start)
  (func (export "process_block") (result i32) (i32.const 0))
)
