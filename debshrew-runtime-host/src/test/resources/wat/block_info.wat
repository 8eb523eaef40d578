;; ABI v1: __height, __block_hash + __load. Records the staged hash and the height in state
;; (keys "hash" and "height") so the test can check what the guest really saw.
(module
  (import "env" "__height" (func $height (result i32)))
  (import "env" "__block_hash" (func $block_hash (result i32)))
  (import "env" "__load" (func $load (param i32)))
  (import "env" "__set_state" (func $set_state (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\04\00\00\00hash")
  (data (i32.const 16) "\06\00\00\00height")
  ;; pre-fill the hash destination with 0xAA so a host that stages nothing is detected
  (data (i32.const 104) "\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa\aa")
  (func (export "process_block") (result i32)
    ;; LP value at 100: [len = __block_hash()][hash bytes loaded at 104]
    (i32.store (i32.const 100) (call $block_hash))
    (call $load (i32.const 104))
    (drop (call $set_state (i32.const 0) (i32.const 100)))
    ;; LP value at 200: [4][height LE]
    (i32.store (i32.const 200) (i32.const 4))
    (i32.store (i32.const 204) (call $height))
    (drop (call $set_state (i32.const 16) (i32.const 200)))
    (i32.const 0))
  ;; rollback only records the height, so the test can tell which export ran
  (func (export "rollback") (result i32)
    (i32.store (i32.const 200) (i32.const 4))
    (i32.store (i32.const 204) (call $height))
    (drop (call $set_state (i32.const 16) (i32.const 200)))
    (i32.const 0))
)
