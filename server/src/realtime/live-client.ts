import type { WebSocket } from 'ws';
import { LiveCloseCode, TRANSIENT_EVENT_TYPES, type LiveEvent, type ServerMessage } from '@sayso/protocol';

/** Reads stored events of one person with `seq` in (after, upTo], in order, at most `limit`. */
export type ReadEvents = (userId: string, after: number, upTo: number, limit: number) => Promise<LiveEvent[]>;

const BACKFILL_PAGE = 500;
/** A serialised server message; a Buffer when shared by many sockets (encoded once). */
type Frame = string | Buffer;

/**
 * One live socket. Delivers a person's events strictly in order with no gaps and no repeats:
 * an event that arrives ahead of a missing one (gateways publish concurrently) triggers a
 * read of the missing ones from the events table first.
 */
export class LiveClient {
  /** Highest event id sent; -1 until the starting point is known. */
  private lastSent = -1;
  /** Stored events up to this id must be read from the database before the queue continues. */
  private backfillTo = -1;
  private readonly queue: Array<{ event: LiveEvent; frame: Frame }> = [];
  private pumping = false;
  private closed = false;

  constructor(
    readonly userId: string,
    private readonly ws: WebSocket,
    private readonly readEvents: ReadEvents,
    private readonly maxBufferedBytes: number,
    private readonly onSent: (n: number) => void,
    private readonly onTooSlow: () => void,
  ) {}

  /** Starts delivery after `lastEventId` (events up to it are known to the client). */
  start(lastEventId: number, upTo: number): Promise<void> {
    this.lastSent = lastEventId;
    this.backfillTo = upTo;
    return this.pump();
  }

  /** A live event from the bus; `frame` is the serialised message, shared by all sockets. */
  deliver(event: LiveEvent, frame: Frame): void {
    if (this.closed) return;
    // Transcripts are transient (not stored, not replayed): send as they come once started.
    if (TRANSIENT_EVENT_TYPES.includes(event.type)) {
      if (this.lastSent >= 0) this.send(frame);
      return;
    }
    if (!this.pumping && this.queue.length === 0 && this.lastSent >= 0 && event.id === this.lastSent + 1) {
      if (this.send(frame)) this.lastSent = event.id;
      return;
    }
    this.queue.push({ event, frame });
    if (this.lastSent >= 0) void this.pump();
  }

  /** Stored events up to `upTo` exist (the hub read the person's newest id): send any not yet sent. */
  catchUp(upTo: number): void {
    if (this.closed || this.lastSent < 0 || upTo <= Math.max(this.lastSent, this.backfillTo)) return;
    this.backfillTo = upTo;
    void this.pump();
  }

  sendMessage(message: ServerMessage): void {
    this.send(JSON.stringify(message));
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed) {
        if (this.backfillTo > this.lastSent) await this.backfill(this.backfillTo);
        const next = this.queue.shift();
        // A catch-up may have raised backfillTo while this loop was sending: go round again.
        if (!next) {
          if (this.backfillTo > this.lastSent && this.ws.readyState === this.ws.OPEN) continue;
          break;
        }
        const id = next.event.id;
        if (id <= this.lastSent) continue;
        if (id > this.lastSent + 1) await this.backfill(id - 1);
        if (id === this.lastSent + 1 && this.send(next.frame)) this.lastSent = id;
      }
    } catch {
      // The database is unreachable: close so the client reconnects and resumes from its last id.
      this.ws.close(1011, 'live updates interrupted; reconnect to resume');
    } finally {
      this.pumping = false;
    }
  }

  private async backfill(upTo: number): Promise<void> {
    while (!this.closed && this.lastSent < upTo) {
      const page = await this.readEvents(this.userId, this.lastSent, upTo, BACKFILL_PAGE);
      if (page.length === 0) {
        // Pruned past retention: the client must reload state rather than miss changes silently.
        this.sendMessage({ type: 'resync_required', fromEventId: upTo, reason: 'events before this id are no longer kept' });
        this.lastSent = upTo;
        return;
      }
      for (const event of page) {
        if (!this.send(JSON.stringify({ type: 'event', event } satisfies ServerMessage))) return;
        this.lastSent = event.id;
      }
      await this.drained();
    }
  }

  /** Waits (bounded) for the socket to flush, so a long backfill is not taken for a slow client. */
  private async drained(): Promise<void> {
    for (let i = 0; i < 500 && this.ws.bufferedAmount > this.maxBufferedBytes / 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private send(frame: Frame): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      // Never let one slow reader hold memory or others: drop it; it resumes where it was.
      this.closed = true;
      this.onTooSlow();
      this.ws.close(LiveCloseCode.tooSlow, 'too slow: reconnect and resume from your last event id');
      return false;
    }
    this.ws.send(frame, { binary: false });
    this.onSent(1);
    return true;
  }
}
