;; Imports nothing and traps on unreachable (what a Rust panic looks like without a way to log).
(module
  (memory (export "memory") 1)
  (func (export "process_block") (result i32)
    unreachable)
)
