/**
 * Ferry's wire protocol: every frame, HTTP body and error code, defined once; which frames answer
 * which request, the socket's close codes and version handshake; and the few text rules
 * (addresses, attachment names) that the bridge and the browser both apply.
 */
export * from "./compose";
export * from "./connection";
export * from "./contract";
export * from "./errors";
export * from "./filename";
export * from "./folders";
export * from "./frames";
export * from "./http";
export * from "./model";
export * from "./quota";
export * from "./rules";
export * from "./settings";
export * from "./sign-in-limits";
export * from "./snooze";
export * from "./sort-keys";
export * from "./version";
