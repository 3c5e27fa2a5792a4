/** The wire protocol version. Bump it on any incompatible change to a frame. */
export const PROTOCOL_VERSION = 1 as const;
