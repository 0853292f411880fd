import WebSocket from 'ws';
import type { LiveEvent, Task } from '@sayso/protocol';
import type { LiveSubscription, SaysoClient } from '../../../sdk/src/index.js';

/**
 * A steady load for fault tests: text turns and REST creates, each naming a task by a unique
 * title, so afterwards the tasks say what happened to every request: once (good), never (lost)
 * or more than once (doubled).
 */

/** One text turn (POST /v1/turns) as the client saw it. */
export interface TurnRecord {
  title: string;
  status: number | 'network';
  code?: string;
  startedAt: number;
  endedAt: number;
}

/** Sends `add <title>` turns from `concurrency` loops until `running()` is false. */
export async function turnLoad(opts: {
  urls: string[];
  token: string;
  tag: string;
  concurrency: number;
  running: () => boolean;
  out: TurnRecord[];
}): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, lane) => {
      while (opts.running()) {
        const title = `${opts.tag} turn ${next++}`;
        const url = opts.urls[lane % opts.urls.length]!;
        const startedAt = Date.now();
        try {
          const res = await fetch(`${url}/v1/turns`, {
            method: 'POST',
            headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ text: `add ${title}`, waitMs: 20_000 }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
          opts.out.push({ title, status: res.status, ...(body.error?.code ? { code: body.error.code } : {}), startedAt, endedAt: Date.now() });
          if (!res.ok) await pause(200);
        } catch {
          opts.out.push({ title, status: 'network', startedAt, endedAt: Date.now() });
          await pause(200);
        }
      }
    }),
  );
}

/** One REST create, retried with its Idempotency-Key until it succeeds (as a careful client does). */
export interface WriteRecord {
  title: string;
  attempts: number;
  /** Error codes of the failed attempts, e.g. `unavailable`. */
  errors: string[];
  doneAt: number;
}

export async function writeLoad(opts: {
  clients: SaysoClient[];
  tag: string;
  concurrency: number;
  running: () => boolean;
  out: WriteRecord[];
}): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, lane) => {
      const client = opts.clients[lane % opts.clients.length]!;
      while (opts.running()) {
        const title = `${opts.tag} rest ${next++}`;
        const key = `${title.replace(/\s+/g, '-')}-${Date.now()}`;
        const record: WriteRecord = { title, attempts: 0, errors: [], doneAt: 0 };
        for (;;) {
          record.attempts++;
          try {
            await client.tasks.create({ title }, { idempotencyKey: key });
            break;
          } catch (err) {
            record.errors.push((err as { code?: string }).code ?? String(err));
            if (record.attempts > 60) throw new Error(`create "${title}" kept failing: ${record.errors.join(', ')}`);
            await pause(250);
          }
        }
        record.doneAt = Date.now();
        opts.out.push(record);
      }
    }),
  );
}

/** A live subscription that records every event it delivers. */
export interface Subscriber {
  sub: LiveSubscription;
  seen: LiveEvent[];
  /** Reconnects the SDK made (state went to `reconnecting`). */
  reconnects: number;
  start: number;
}

export async function subscribe(client: SaysoClient): Promise<Subscriber> {
  const seen: LiveEvent[] = [];
  const s = { seen, reconnects: 0, start: -1 } as Subscriber;
  s.sub = client.live({
    onEvent: (e) => void seen.push(e),
    onStateChange: (state) => {
      if (state === 'reconnecting') s.reconnects++;
    },
  });
  await until(() => s.sub.state === 'open', 'a live subscription to open', 20_000);
  s.start = s.sub.lastEventId!;
  return s;
}

/** Stored events a subscriber saw: missing ids in (start, upTo], and ids seen more than once. */
export function gapsAndRepeats(s: Subscriber, upTo: number): { missed: number; repeated: number } {
  const ids = s.seen.filter((e) => e.type !== 'voice_transcript' && e.type !== 'turn_result').map((e) => e.id);
  const unique = new Set(ids);
  let missed = 0;
  for (let id = s.start + 1; id <= upTo; id++) if (!unique.has(id)) missed++;
  return { missed, repeated: ids.length - unique.size };
}

/** The newest event id of the person: a fresh subscription's starting point. */
export async function currentEventId(client: SaysoClient): Promise<number> {
  const s = await subscribe(client);
  s.sub.close();
  return s.start;
}

/** Every task of the person, counted by title. */
export async function tasksByTitle(client: SaysoClient): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await client.tasks.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    for (const t of page.items as Task[]) counts.set(t.title, (counts.get(t.title) ?? 0) + 1);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return counts;
}

/** Lost (no task) and doubled (several) among `titles`. */
export function tally(titles: readonly string[], counts: Map<string, number>): { lost: string[]; doubled: string[] } {
  return {
    lost: titles.filter((t) => !counts.get(t.toLowerCase()) && !counts.get(t)),
    doubled: titles.filter((t) => (counts.get(t.toLowerCase()) ?? counts.get(t) ?? 0) > 1),
  };
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(25);
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { WebSocket };
