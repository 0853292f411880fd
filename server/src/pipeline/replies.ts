import { tail, type Tail } from '../bus/consumer.js';
import type { EventBus } from '../bus/port.js';
import type { Logger } from '../log.js';
import { STREAMS, type ReplyMessage, type ToolCallMessage } from './messages.js';

/**
 * Every gateway follows the replies stream and hands each reply to whoever on this gateway is
 * waiting for it: a REST text turn (by turn id), or the voice bridge, which speaks the replies
 * of the voice sessions this gateway holds.
 */
export class ReplyRouter {
  /** Waiters by turn id; a turn repeated with its Idempotency-Key may have two. */
  private readonly byTurn = new Map<string, Set<(r: ReplyMessage) => void>>();
  private readonly listeners = new Set<(r: ReplyMessage) => void>();
  private readonly toolListeners = new Set<(c: ToolCallMessage) => void>();
  private tailer: Tail | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.tailer = tail<ReplyMessage | ToolCallMessage>({
      bus: this.bus,
      stream: STREAMS.replies,
      onMessage: ({ data }) => {
        if (!data) return;
        if ('toolCall' in data) {
          for (const listener of this.toolListeners) listener(data);
          return;
        }
        for (const waiter of this.byTurn.get(data.turnId) ?? []) waiter(data);
        for (const listener of this.listeners) listener(data);
      },
      onError: (err, context) => this.log.warn({ err: String(err), context }, 'replies tail error'),
    });
    await this.tailer.ready;
  }

  async stop(): Promise<void> {
    await this.tailer?.stop();
  }

  /** Resolves with the reply of `turnId`, or null after `timeoutMs`. Register before publishing the turn. */
  waitFor(turnId: string, timeoutMs: number): Promise<ReplyMessage | null> {
    return new Promise((resolve) => {
      const waiters = this.byTurn.get(turnId) ?? new Set();
      this.byTurn.set(turnId, waiters);
      const done = (r: ReplyMessage | null) => {
        clearTimeout(timer);
        waiters.delete(waiter);
        if (waiters.size === 0 && this.byTurn.get(turnId) === waiters) this.byTurn.delete(turnId);
        resolve(r);
      };
      const waiter = (r: ReplyMessage) => done(r);
      const timer = setTimeout(() => done(null), timeoutMs);
      waiters.add(waiter);
    });
  }

  /** Calls `listener` with every client-tool request (of any gateway's turns) until the returned function is called. */
  onToolCall(listener: (c: ToolCallMessage) => void): () => void {
    this.toolListeners.add(listener);
    return () => this.toolListeners.delete(listener);
  }

  /** Calls `listener` with every reply (of any gateway's turns) until the returned function is called. */
  onReply(listener: (r: ReplyMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
