;; __stdout / __stderr. Height 0: fragments forming "hello world", a stderr line, and an
;; unterminated stdout line; height 1: same, then returns -1; height 2: 1000 stdout lines.
(module
  (import "env" "__height" (func $height (result i32)))
  (import "env" "__stdout" (func $stdout (param i32)))
  (import "env" "__stderr" (func $stderr (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\06\00\00\00hello ")
  (data (i32.const 16) "\06\00\00\00world\n")
  (data (i32.const 32) "\05\00\00\00oops\n")
  (data (i32.const 48) "\0a\00\00\00line\nnext\n")
  (data (i32.const 80) "\0a\00\00\00no newline")
  (func (export "process_block") (result i32)
    (local $i i32)
    (call $stdout (i32.const 0))
    (call $stdout (i32.const 16))
    (call $stderr (i32.const 32))
    (if (i32.eq (call $height) (i32.const 1)) (then (return (i32.const -1))))
    (if (i32.eq (call $height) (i32.const 2))
      (then
        (loop $l
          (call $stdout (i32.const 48))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))))
    (call $stdout (i32.const 80))
    (i32.const 0))
)
