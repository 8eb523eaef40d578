;; ABI v1 state semantics. Records the i32 result of every state call in state key "results"
;; (12 little-endian i32s) and the values read in keys "g0" / "g1".
(module
  (import "env" "__get_state" (func $get_state (param i32) (result i32)))
  (import "env" "__set_state" (func $set_state (param i32 i32) (result i32)))
  (import "env" "__delete_state" (func $delete_state (param i32) (result i32)))
  (import "env" "__load" (func $load (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\01\00\00\00k")
  (data (i32.const 8) "\03\00\00\00new")
  (data (i32.const 16) "\01\00\00\00c")
  (data (i32.const 24) "\07\00\00\00missing")
  (data (i32.const 40) "\01\00\00\00e")
  (data (i32.const 48) "\00\00\00\00")
  (data (i32.const 56) "\02\00\00\00g0")
  (data (i32.const 64) "\02\00\00\00g1")
  (data (i32.const 72) "\07\00\00\00results")

  ;; get_state + load into the scratch LP buffer at 2048; returns get_state's result
  (func $get_into (param $key i32) (result i32)
    (local $r i32)
    (local.set $r (call $get_state (local.get $key)))
    (if (i32.ge_s (local.get $r) (i32.const 0))
      (then
        (i32.store (i32.const 2048) (local.get $r))
        (call $load (i32.const 2052))))
    (local.get $r))

  (func $record (param $i i32) (param $v i32)
    (i32.store (i32.add (i32.const 1028) (i32.mul (local.get $i) (i32.const 4))) (local.get $v)))

  (func (export "process_block") (result i32)
    (call $record (i32.const 0) (call $get_into (i32.const 0)))          ;; committed "k" = "old" -> 3
    (drop (call $set_state (i32.const 56) (i32.const 2048)))             ;; g0 = what was read
    (call $record (i32.const 1) (call $set_state (i32.const 0) (i32.const 8)))   ;; k = "new" -> 0
    (call $record (i32.const 2) (call $get_into (i32.const 0)))          ;; read-your-write -> 3
    (drop (call $set_state (i32.const 64) (i32.const 2048)))             ;; g1 = "new"
    (call $record (i32.const 3) (call $delete_state (i32.const 0)))      ;; existed -> 1
    (call $record (i32.const 4) (call $get_state (i32.const 0)))         ;; deleted -> -1
    (call $record (i32.const 5) (call $delete_state (i32.const 0)))      ;; already deleted -> 0
    (call $record (i32.const 6) (call $delete_state (i32.const 16)))     ;; committed "c" -> 1
    (call $record (i32.const 7) (call $get_state (i32.const 16)))        ;; -> -1
    (call $record (i32.const 8) (call $get_state (i32.const 24)))        ;; never existed -> -1
    (call $record (i32.const 9) (call $set_state (i32.const 40) (i32.const 48)))  ;; e = "" -> 0
    (call $record (i32.const 10) (call $get_state (i32.const 40)))       ;; empty value present -> 0
    (call $record (i32.const 11) (call $delete_state (i32.const 24)))    ;; absent -> 0
    (i32.store (i32.const 1024) (i32.const 48))
    (drop (call $set_state (i32.const 72) (i32.const 1024)))
    (i32.const 0))
)
