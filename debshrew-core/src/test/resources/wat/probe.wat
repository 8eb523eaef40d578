;; debshrew test fixture. Every block: writes "out-a" (stdout, no newline), "err-b" (stderr, no
;; newline), "out-c\n" (stdout), puts state keys k1 and k2, and returns two messages (probe/a,
;; probe/b). Block 4 and above: after the writes, calls $probe_fail, which traps on unreachable.
(module
  (import "env" "__height" (func $height (result i32)))
  (import "env" "__stdout" (func $stdout (param i32)))
  (import "env" "__stderr" (func $stderr (param i32)))
  (import "env" "__set_state" (func $set_state (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\05\00\00\00out-a")
  (data (i32.const 16) "\05\00\00\00err-b")
  (data (i32.const 32) "\06\00\00\00out-c\0a")
  (data (i32.const 48) "\02\00\00\00k1")
  (data (i32.const 56) "\02\00\00\00k2")
  (data (i32.const 64) "\01\00\00\00v")
  (data (i32.const 1024) "\35\01\00\00[{\22header\22:{\22source\22:\22probe\22,\22timestamp\22:1,\22block_height\22:0,\22block_hash\22:\2200\22},\22payload\22:{\22operation\22:\22create\22,\22table\22:\22probe\22,\22key\22:\22a\22,\22after\22:{\22n\22:1}}},{\22header\22:{\22source\22:\22probe\22,\22timestamp\22:1,\22block_height\22:0,\22block_hash\22:\2200\22},\22payload\22:{\22operation\22:\22create\22,\22table\22:\22probe\22,\22key\22:\22b\22,\22after\22:{\22n\22:2}}}]")
  (func $probe_fail
    unreachable)
  (func (export "process_block") (result i32)
    (call $stdout (i32.const 0))
    (call $stderr (i32.const 16))
    (call $stdout (i32.const 32))
    (drop (call $set_state (i32.const 48) (i32.const 64)))
    (drop (call $set_state (i32.const 56) (i32.const 64)))
    (if (i32.ge_u (call $height) (i32.const 4)) (then (call $probe_fail)))
    (i32.const 1024))
)
