// debshrew AssemblyScript SDK: everything a transform needs.
export * from "./host";
export * from "./lp";
export * from "./hex";
export * from "./reader";
export * from "./sha256";
export * from "./json";
export * from "./cdc";
export * from "./bitcoin";
export { abortHandler } from "./abort";
