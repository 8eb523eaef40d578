// The txindex example built with the stub runtime instead of the incremental
// GC: its output must be byte-identical (checked in test/examples.test.mjs).
export * from "../../examples/txindex";
