/**
 * mcp-infra as a library: the components, one by one, for your own Pulumi
 * program. (index.ts is this project's own program.)
 */
export * from "./components";
export * from "./sizing";
