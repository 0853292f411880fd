/**
 * What of an error may leave the process (logs, Sentry): its type, code and message with any
 * query parameters cut off. A failed query's message quotes its parameters (drizzle: "params: …"),
 * and those are task titles and journal text.
 */
export function scrubMessage(message: string): string {
  const at = message.search(/\n?params: /);
  return at === -1 ? message : `${message.slice(0, at)} [query parameters withheld]`;
}

export interface SafeError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SafeError | string;
}

/** An error as it may be logged; a string (the common `String(err)`) gets the same cut. */
export function safeError(value: unknown, depth = 0): SafeError | string | unknown {
  if (typeof value === 'string') return scrubMessage(value);
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  const cause = (value as { cause?: unknown }).cause;
  return {
    type: value.name,
    message: scrubMessage(value.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(value.stack ? { stack: scrubStack(value.stack, value.message) } : {}),
    ...(cause !== undefined && depth < 3 ? { cause: safeError(cause, depth + 1) as SafeError | string } : {}),
  };
}

/** A stack starts with the message: keep the frames, scrub the message part. */
function scrubStack(stack: string, message: string): string {
  return message && stack.includes(message) ? stack.replace(message, scrubMessage(message)) : scrubMessage(stack);
}
