import { ROOT_CONTEXT, SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { tracer, tracingOn } from './tracing.js';

/**
 * One trace per voice turn: a `voice.turn` root span where the turn starts (the gateway), and a
 * child span per stage wherever the stage runs. The W3C trace context travels inside the bus
 * messages (`trace`), so a stage in a worker process joins the same trace.
 *
 * Attributes are ids, engine names, sizes, durations and outcomes: never what was said or written.
 */

/** W3C trace context as carried in a bus message. */
export interface TraceCarrier {
  traceparent: string;
}

/** Spans of an unfinished turn are ended after this, so a lost reply cannot leak them. */
const TURN_SPAN_MAX_MS = 120_000;

export const attr = {
  turnId: 'sayso.turn.id',
  userId: 'enduser.id',
  sessionKind: 'sayso.session.kind',
  via: 'sayso.turn.via',
  engine: 'sayso.engine',
  chars: 'sayso.text.chars',
  samples: 'sayso.audio.samples',
  outcome: 'sayso.outcome.status',
  actionKind: 'sayso.action.kind',
  action: 'sayso.action.name',
} as const;

/** The root spans of the turns this process started, until their reply is handled. */
export class TurnTraces {
  private readonly open = new Map<string, { span: Span; timer: NodeJS.Timeout }>();

  /**
   * Starts a turn's root span at `startedAt` (end of speech, or the text received), under the
   * active context (a REST turn's HTTP span). Spans for work already done before the turn entered
   * the pipeline (VAD; recognition streamed while the person spoke) are added from their timings.
   * Returns the carrier to put in the turn's messages; undefined when tracing is off.
   */
  begin(turnId: string, attributes: Attributes, startedAt: number, done: { vad?: number | undefined; stt?: number | undefined } = {}): TraceCarrier | undefined {
    if (!tracingOn()) return undefined;
    const span = tracer.startSpan('voice.turn', { startTime: startedAt, attributes: { ...attributes, [attr.turnId]: turnId } }, context.active());
    const inTurn = trace.setSpan(context.active(), span);
    let at = startedAt;
    if (done.vad !== undefined) {
      tracer.startSpan('vad', { startTime: at, attributes: { [attr.turnId]: turnId } }, inTurn).end(at + done.vad);
      at += done.vad;
    }
    if (done.stt !== undefined) {
      tracer.startSpan('stt', { startTime: at, attributes: { [attr.turnId]: turnId, 'sayso.stt.streamed': true } }, inTurn).end(at + done.stt);
    }
    const timer = setTimeout(() => this.finish(turnId, { [attr.outcome]: 'timeout' }), TURN_SPAN_MAX_MS);
    timer.unref();
    this.open.set(turnId, { span, timer });
    return carrierOf(span);
  }

  /** Ends the root span of a turn started here (no-op for other turns). */
  finish(turnId: string, attributes: Attributes): void {
    const open = this.open.get(turnId);
    if (!open) return;
    this.open.delete(turnId);
    clearTimeout(open.timer);
    open.span.setAttributes(attributes);
    if (attributes[attr.outcome] === 'failed' || attributes[attr.outcome] === 'timeout') open.span.setStatus({ code: SpanStatusCode.ERROR });
    open.span.end();
  }
}

/**
 * Runs one stage of a turn in a child span of the turn's root (from the message's carrier). Without
 * a carrier (tracing off here or where the turn started) it just runs `work`.
 *
 * @example
 * await inStage('understand', m.trace, { [attr.turnId]: m.turnId }, async (span) => { ...; span?.setAttribute(attr.engine, id); });
 */
export async function inStage<T>(name: string, carrier: TraceCarrier | undefined, attributes: Attributes, work: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (!carrier || !tracingOn()) return work(undefined);
  const parent = contextOf(carrier);
  const span = tracer.startSpan(name, { attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    markFailed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the error's type only: messages can quote what the person said. */
export function markFailed(span: Span, err: unknown): void {
  const e = err as { name?: unknown; code?: unknown } | null;
  const type = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

function contextOf(carrier: TraceCarrier): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

function carrierOf(span: Span): TraceCarrier | undefined {
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
  return headers['traceparent'] ? { traceparent: headers['traceparent'] } : undefined;
}
