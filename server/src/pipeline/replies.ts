import { tail, type Tail } from '../bus/consumer.js';
import type { EventBus } from '../bus/port.js';
import type { Logger } from '../log.js';
import { STREAMS, type ReplyMessage } from './messages.js';

/**
 * Every gateway follows the replies stream and hands each reply to whoever on this gateway is
 * waiting for it: a voice session (by session id) that speaks it, or a REST text turn (by turn id).
 */
export class ReplyRouter {
  private readonly byTurn = new Map<string, (r: ReplyMessage) => void>();
  private readonly bySession = new Map<string, (r: ReplyMessage) => void>();
  private tailer: Tail | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.tailer = tail<ReplyMessage>({
      bus: this.bus,
      stream: STREAMS.replies,
      onMessage: ({ data }) => {
        if (!data) return;
        this.byTurn.get(data.turnId)?.(data);
        this.bySession.get(data.sessionId)?.(data);
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
      const timer = setTimeout(() => {
        this.byTurn.delete(turnId);
        resolve(null);
      }, timeoutMs);
      this.byTurn.set(turnId, (r) => {
        clearTimeout(timer);
        this.byTurn.delete(turnId);
        resolve(r);
      });
    });
  }

  /** Calls `onReply` for each reply to a turn of this session, until the returned function is called. */
  follow(sessionId: string, onReply: (r: ReplyMessage) => void): () => void {
    this.bySession.set(sessionId, onReply);
    return () => this.bySession.delete(sessionId);
  }
}
