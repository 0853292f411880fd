import type { Span } from '@opentelemetry/api';
import type { LiveEvent } from '@sayso/protocol';
import type { EventBus } from '../bus/port.js';
import { consume, type Stoppable } from '../bus/consumer.js';
import type { Changes } from '../domain/changes.js';
import { AppError } from '../domain/errors.js';
import type { Users } from '../domain/users.js';
import type { Logger } from '../log.js';
import type { Understander } from '../providers/llm/port.js';
import type { SpeechToText } from '../providers/stt/port.js';
import type { Db } from '../store/open-store.js';
import { act, type ActDeps } from './act.js';
import { nextContext, understandContext } from './context.js';
import { nextToolCall, withLink, withToolResults } from './client-tools.js';
import { STREAMS, type IntentMessage, type ReplyMessage, type SegmentMessage, type TextMessage, type ToolCallMessage } from './messages.js';
import * as say from './say.js';
import { attr, inStage } from '../telemetry/turn-trace.js';
import { reportError } from '../telemetry/errors.js';

export type StageName = 'stt' | 'understand' | 'act';
export const ALL_STAGES: readonly StageName[] = ['stt', 'understand', 'act'];
/** The stream each stage reads (its consumer group is `stage.<name>`). */
export const STAGE_STREAMS: ReadonlyArray<readonly [StageName, string]> = [['stt', STREAMS.segments], ['understand', STREAMS.texts], ['act', STREAMS.intents]];

export interface StageDeps extends ActDeps {
  bus: EventBus;
  db: Db;
  users: Users;
  changes: Changes;
  stt: SpeechToText;
  understander: Understander;
  /** The engine per person when model calls are limited (limits/llm-budget.ts); else `understander`. */
  llmBudget?: { engineFor(userId: string): Promise<Understander> };
  log: Logger;
  /** Called with each finished stage's duration, for /metrics. */
  observe?: (stage: string, ms: number) => void;
}

/** Below this, an understood action is not carried out; Sayso asks instead. */
const MIN_CONFIDENCE = 0.35;

/**
 * Runs pipeline stages as consumer-group readers of their bus streams. Several processes may
 * run the same stages: each message goes to one of them, and a crashed one's messages are
 * claimed by another after `claimIdleMs`.
 */
export function startStages(
  deps: StageDeps,
  options: { consumer: string; stages?: readonly StageName[]; claimIdleMs?: number },
): { stop(): Promise<void> } {
  const run = (stage: StageName, stream: string, handle: (m: never) => Promise<void>): Stoppable =>
    consume({
      bus: deps.bus,
      stream,
      group: `stage.${stage}`,
      consumer: options.consumer,
      claimIdleMs: options.claimIdleMs ?? 30_000,
      blockMs: 2_000,
      handle: async (message) => {
        if (!message.data) return; // unreadable entry: ack it rather than retry forever
        try {
          await handle(message.data as never);
        } catch (err) {
          const { turnId, userId } = message.data as { turnId?: string; userId?: string };
          reportError(err, { stage, turnId, userId });
          throw err; // stays pending: retried, or claimed by another worker
        }
      },
      onError: (err, context) => deps.log.warn({ err: String(err), stage, context }, 'pipeline stage error'),
    });
  const chosen = options.stages ?? ALL_STAGES;
  const loops: Stoppable[] = [];
  // Each stage is a child span of the turn's trace (ids and sizes only: see telemetry/turn-trace.ts).
  const traced = <M extends SegmentMessage | TextMessage | IntentMessage>(name: StageName, work: (m: M, span: Span | undefined) => Promise<void>) =>
    (m: M) => inStage(name, m.trace, { [attr.turnId]: m.turnId, [attr.userId]: m.userId }, (span) => work(m, span));
  if (chosen.includes('stt')) loops.push(run('stt', STREAMS.segments, traced('stt', (m: SegmentMessage, span) => transcribe(deps, m, span))));
  if (chosen.includes('understand')) loops.push(run('understand', STREAMS.texts, traced('understand', (m: TextMessage, span) => understand(deps, m, span))));
  if (chosen.includes('act')) loops.push(run('act', STREAMS.intents, traced('act', (m: IntentMessage, span) => carryOut(deps, m, span))));
  return { stop: async () => void (await Promise.all(loops.map((l) => l.stop()))) };
}

async function transcribe(deps: StageDeps, m: SegmentMessage, span?: Span): Promise<void> {
  const started = Date.now();
  const buffer = Buffer.from(m.pcm, 'base64');
  const pcm = new Int16Array(buffer.buffer, buffer.byteOffset, Math.floor(buffer.byteLength / 2));
  const { text } = await deps.stt.transcribe(pcm, { hints: await hintsFor(deps.db, m.userId) });
  const stt = Date.now() - started;
  deps.observe?.('stt', stt);
  deps.log.info({ turnId: m.turnId, samples: pcm.length, chars: text.length, ms: stt }, 'transcribed');
  span?.setAttributes({ [attr.engine]: deps.stt.id, [attr.samples]: pcm.length, [attr.chars]: text.length });
  const { pcm: _pcm, sampleRate: _rate, ...base } = m;
  const timings = { ...m.timings, stt };
  const shown = transient(deps, m.userId, { type: 'voice_transcript', data: { turnId: m.turnId, text, final: true } });
  if (!text.trim()) {
    await Promise.all([shown, reply(deps, { ...base, timings, text: '', reply: "Sorry, I didn't catch that.", outcome: { action: { kind: null, action: 'none' }, status: 'none' } })]);
    return;
  }
  // Understanding need not wait for the transcript to reach the screen.
  await Promise.all([shown, deps.bus.publish(STREAMS.texts, { ...base, timings, text, via: 'voice' } satisfies TextMessage)]);
}

/**
 * Words this person is likely to say that a general model may not know: habit and list names.
 * (Not task titles: they change every turn, and each new hint set costs the recogniser a model build.)
 */
async function hintsFor(db: Db, userId: string): Promise<string[]> {
  const context = await understandContext(db, userId, {}, new Date());
  return [...(context.habitNames ?? []), ...(context.lists ?? []).filter((l) => l !== 'inbox')];
}

async function understand(deps: StageDeps, m: TextMessage, span?: Span): Promise<void> {
  const started = Date.now();
  const toolCall = nextToolCall(m.text, m.context);
  span?.setAttributes({ [attr.chars]: m.text.length, [attr.via]: m.via });
  if (toolCall) {
    span?.setAttribute('sayso.client_tool', toolCall.name);
    // The page holds what the person points at: the gateway with the session asks it.
    await deps.bus.publish(STREAMS.replies, { ...m, toolCall } satisfies ToolCallMessage);
    return;
  }
  const { text, link } = withToolResults(m.text, m.context);
  const context = await understandContext(deps.db, m.userId, m.context, new Date(m.endedAt));
  const understander = deps.llmBudget ? await deps.llmBudget.engineFor(m.userId) : deps.understander;
  const understood = await understander.understand(text, context);
  const understanding = { ...understood, action: withLink(understood.action, link) };
  const ms = Date.now() - started;
  deps.observe?.('understand', ms);
  span?.setAttributes({ [attr.engine]: understood.engine, [attr.actionKind]: understood.action.kind ?? 'none', [attr.action]: understood.action.action, 'sayso.confidence': understood.confidence });
  const { via: _via, ...base } = m;
  await deps.bus.publish(STREAMS.intents, { ...base, understanding, timings: { ...m.timings, understand: ms } } satisfies IntentMessage);
}

async function carryOut(deps: StageDeps, m: IntentMessage, span?: Span): Promise<void> {
  const started = Date.now();
  const { action, confidence } = m.understanding;
  const unsure = action.action !== 'none' && confidence < MIN_CONFIDENCE;
  let result;
  try {
    result = unsure
      ? { outcome: { action, status: 'none' as const }, reply: `I'm not sure what you meant by "${say.snippet(m.text, 80)}". Nothing was changed; could you say it another way?` }
      : await act(deps, { userId: m.userId, source: 'voice', turnId: m.turnId }, action, m.context);
  } catch (err) {
    // A request the domain refuses (a name taken, a bad date) is answered, not retried.
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    result = { outcome: { action, status: 'failed' as const }, reply: `${err.message.split('. ')[0]}. Nothing was changed.` };
  }
  const ms = Date.now() - started;
  deps.observe?.('act', ms);
  span?.setAttributes({ [attr.actionKind]: action.kind ?? 'none', [attr.action]: action.action, [attr.outcome]: result.outcome.status, 'sayso.reply.chars': result.reply.length });
  deps.log.info({ turnId: m.turnId, userId: m.userId, kind: action.kind, action: action.action, status: result.outcome.status, chars: m.text.length, ms }, 'turn acted');
  if (process.env['SAYSO_FAILPOINT'] === 'act:after-commit') {
    // Test-only: die between the committed write and the ack, as a crashed worker would.
    process.kill(process.pid, 'SIGKILL');
  }
  const { understanding: _u, ...base } = m;
  await reply(deps, { ...base, timings: { ...m.timings, act: ms, toCommit: Date.now() - m.endedAt }, ...result, context: nextContext(m.context, result.outcome) });
}

async function reply(deps: StageDeps, r: ReplyMessage): Promise<void> {
  await deps.bus.publish(STREAMS.replies, r);
  await transient(deps, r.userId, {
    type: 'turn_result',
    data: { turnId: r.turnId, text: r.text, reply: r.reply, outcome: r.outcome, timings: r.timings as Record<string, number> },
  });
}

type TransientEvent = Pick<Extract<LiveEvent, { type: 'voice_transcript' | 'turn_result' }>, 'type' | 'data'>;

/** Sends a transient live event (not stored); its id is the person's last stored event id. */
export async function transient(deps: Pick<StageDeps, 'users' | 'changes'>, userId: string, e: TransientEvent): Promise<void> {
  const id = await deps.users.lastEventId(userId);
  await deps.changes.publish(userId, [{ v: 1, id, at: new Date().toISOString(), source: 'voice', ...e } as LiveEvent]);
}
