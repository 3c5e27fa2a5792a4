/**
 * Ferry's wire protocol: every frame, HTTP body and error code, defined once, and the few text
 * rules (addresses, attachment names) that the bridge and the browser both apply.
 */
export * from "./compose";
export * from "./errors";
export * from "./filename";
export * from "./frames";
export * from "./http";
export * from "./model";
export * from "./version";
