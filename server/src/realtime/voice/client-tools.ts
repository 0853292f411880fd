import { randomUUID } from 'node:crypto';
import { CLIENT_TOOL_TIMEOUT_MS, MAX_CLIENT_TOOLS, type ClientToolSpec, type VoiceServerMessage } from './messages.js';

/** What the page answered to a tool call: its JSON result, or why there is none. */
export interface ToolAnswer {
  result?: unknown;
  error?: string;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** A result larger than this is refused: it goes through the bus and into a turn's context. */
const MAX_RESULT_BYTES = 16 * 1024;

/**
 * Checks a page's tool list; returns the tools or a message that says what is wrong. Tools are
 * untrusted input from any page: names, counts and sizes are bounded.
 */
export function parseTools(raw: unknown): ClientToolSpec[] | string {
  if (!Array.isArray(raw)) return '"tools" must be an array of {name, description, refersTo}.';
  if (raw.length > MAX_CLIENT_TOOLS) return `At most ${MAX_CLIENT_TOOLS} client tools; got ${raw.length}.`;
  const tools: ClientToolSpec[] = [];
  for (const t of raw as Array<Partial<ClientToolSpec>>) {
    if (typeof t !== 'object' || t === null || typeof t.name !== 'string' || !NAME.test(t.name)) {
      return 'Each tool needs a "name" of lowercase letters, digits and _ (starting with a letter, at most 64).';
    }
    if (typeof t.description !== 'string' || t.description.length > 500) return `Tool "${t.name}": "description" must be a string of at most 500 characters.`;
    const phrases = t.refersTo ?? [];
    if (!Array.isArray(phrases) || phrases.length > 10 || phrases.some((p) => typeof p !== 'string' || p.trim().length < 2 || p.length > 60)) {
      return `Tool "${t.name}": "refersTo" must hold at most 10 phrases of 2 to 60 characters.`;
    }
    if (tools.some((x) => x.name === t.name)) return `Tool "${t.name}" is listed twice.`;
    tools.push({ name: t.name, description: t.description, refersTo: phrases.map((p) => p.trim().toLowerCase()) });
  }
  return tools;
}

/** Tool calls in flight on one voice socket, answered by `tool-result` messages. */
export class ToolCalls {
  private readonly pending = new Map<string, (a: ToolAnswer) => void>();

  constructor(private readonly send: (m: VoiceServerMessage) => void) {}

  /** Asks the page; resolves with its answer, or an error after the timeout or on close. */
  call(turnId: string, name: string, args: Record<string, unknown>, timeoutMs = CLIENT_TOOL_TIMEOUT_MS): Promise<ToolAnswer> {
    const callId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(callId, { error: `The page did not answer within ${timeoutMs / 1000} s.` }), timeoutMs);
      this.pending.set(callId, (a) => (clearTimeout(timer), resolve(a)));
      this.send({ type: 'tool-call', turnId, callId, name, args });
    });
  }

  /** A `tool-result` from the page; returns an error message when the message is wrong. */
  answer(msg: { callId?: unknown; result?: unknown; error?: unknown }): string | undefined {
    if (typeof msg.callId !== 'string' || !this.pending.has(msg.callId)) return 'tool-result needs the "callId" of a tool-call still waiting.';
    if (msg.error !== undefined) return void this.settle(msg.callId, { error: String(msg.error).slice(0, 300) });
    const size = JSON.stringify(msg.result ?? null).length;
    if (size > MAX_RESULT_BYTES) {
      this.settle(msg.callId, { error: 'The result was too large.' });
      return `tool-result "result" is ${size} bytes; at most ${MAX_RESULT_BYTES}.`;
    }
    this.settle(msg.callId, { result: msg.result ?? null });
    return undefined;
  }

  close(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { error: 'The page closed the session.' });
  }

  private settle(callId: string, answer: ToolAnswer): void {
    const done = this.pending.get(callId);
    this.pending.delete(callId);
    done?.(answer);
  }
}
