// The SDK checks again, built with the incremental GC runtime (see scripts/build.mjs).
export * from "./sdk_test";
