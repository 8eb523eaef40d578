;; ABI v1 output. Height 0: returns 0 (no messages); 1: two valid messages (create, update);
;; 2: truncated JSON; 3: second message has operation "Create"; 4: a JSON object, not an array;
;; 5: empty array; 6: returns -5; 7: a value containing the NUL character (JSON \u0000).
(module
  (import "env" "__height" (func $height (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "\97\01\00\00[{\"header\":{\"source\":\"test\",\"timestamp\":1700000000000,\"block_height\":1,\"block_hash\":\"00ff\",\"transaction_id\":\"tx1\"},\"payload\":{\"operation\":\"create\",\"table\":\"balances\",\"key\":\"alice\",\"after\":{\"amount\":10}}},{\"header\":{\"source\":\"test\",\"timestamp\":1700000000001,\"block_height\":1,\"block_hash\":\"00ff\"},\"payload\":{\"operation\":\"update\",\"table\":\"balances\",\"key\":\"alice\",\"before\":{\"amount\":10},\"after\":{\"amount\":15}}}]")
  (data (i32.const 1456) "\0b\00\00\00[{\"header\":")
  (data (i32.const 1488) "\97\01\00\00[{\"header\":{\"source\":\"test\",\"timestamp\":1700000000000,\"block_height\":1,\"block_hash\":\"00ff\",\"transaction_id\":\"tx1\"},\"payload\":{\"operation\":\"create\",\"table\":\"balances\",\"key\":\"alice\",\"after\":{\"amount\":10}}},{\"header\":{\"source\":\"test\",\"timestamp\":1700000000000,\"block_height\":1,\"block_hash\":\"00ff\",\"transaction_id\":\"tx1\"},\"payload\":{\"operation\":\"Create\",\"table\":\"balances\",\"key\":\"alice\",\"after\":{\"amount\":10}}}]")
  (data (i32.const 1920) "\12\00\00\00{\"not\":\"an array\"}")
  (data (i32.const 1968) "\02\00\00\00[]")
  (data (i32.const 2048) "\b0\00\00\00[{\"header\":{\"source\":\"test\",\"timestamp\":1,\"block_height\":7,\"block_hash\":\"00ff\"},\"payload\":{\"operation\":\"create\",\"table\":\"inscriptions\",\"key\":\"i0\",\"after\":{\"text\":\"a\\u0000b\"}}}]")
  (func (export "process_block") (result i32)
    (local $h i32)
    (local.set $h (call $height))
    (if (i32.eq (local.get $h) (i32.const 1)) (then (return (i32.const 1024))))
    (if (i32.eq (local.get $h) (i32.const 2)) (then (return (i32.const 1456))))
    (if (i32.eq (local.get $h) (i32.const 3)) (then (return (i32.const 1488))))
    (if (i32.eq (local.get $h) (i32.const 4)) (then (return (i32.const 1920))))
    (if (i32.eq (local.get $h) (i32.const 5)) (then (return (i32.const 1968))))
    (if (i32.eq (local.get $h) (i32.const 6)) (then (return (i32.const -5))))
    (if (i32.eq (local.get $h) (i32.const 7)) (then (return (i32.const 2048))))
    (i32.const 0))
)
