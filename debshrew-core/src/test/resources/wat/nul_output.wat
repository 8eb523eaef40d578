;; Blocks below 3: no messages. Block 3 and above: one message whose row holds a NUL character
;; (JSON \u0000), as a transform decoding inscription text without stripping NUL would emit.
(module
  (import "env" "__height" (func $height (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "\bc\00\00\00[{\"header\":{\"source\":\"nul_output\",\"timestamp\":1,\"block_height\":3,\"block_hash\":\"00\"},\"payload\":{\"operation\":\"create\",\"table\":\"inscriptions\",\"key\":\"i0\",\"after\":{\"content\":\"ord\\u0000text\"}}}]")
  (func (export "process_block") (result i32)
    (if (i32.ge_u (call $height) (i32.const 3)) (then (return (i32.const 1024))))
    (i32.const 0))
)
