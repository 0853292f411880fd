/** Bumped when a message or event changes shape in a way old clients cannot read. */
export const PROTOCOL_VERSION = 1 as const;
