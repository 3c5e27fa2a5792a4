/** Ferry's wire protocol: every frame, HTTP body and error code, defined once. */
export * from "./compose";
export * from "./errors";
export * from "./frames";
export * from "./http";
export * from "./model";
export * from "./version";
