import { randomUUID } from 'node:crypto';
import type { TurnOutcome } from '@sayso/protocol';
import type { EventBus } from '../bus/port.js';
import { attr, TurnTraces } from '../telemetry/turn-trace.js';
import { STREAMS, type SegmentMessage, type TextMessage, type ToolResult, type ToolCallMessage, type TurnContext, type TurnTimings } from './messages.js';

/** Starts turns: a typed text or a spoken segment enters the pipeline here. */
export class TurnStarter {
  /** Root spans of the turns started here (empty when tracing is off). */
  private readonly traces = new TurnTraces();

  constructor(
    private readonly bus: EventBus,
    /** Called once per finished turn with its outcome status (`timeout` when no reply came), for /metrics. */
    private readonly onFinish?: (status: string) => void,
  ) {}

  /** The turn started here got its reply (or none in time): ends its trace and counts it. */
  finish(turnId: string, outcome: Pick<TurnOutcome, 'status'> & { action?: { kind: string | null; action: string } } | 'timeout'): void {
    const status = outcome === 'timeout' ? 'timeout' : outcome.status;
    this.onFinish?.(status);
    const action = outcome === 'timeout' ? undefined : outcome.action;
    this.traces.finish(turnId, { [attr.outcome]: status, ...(action ? { [attr.actionKind]: action.kind ?? 'none', [attr.action]: action.action } : {}) });
  }

  async text(input: {
    userId: string;
    sessionId: string;
    text: string;
    context: TurnContext;
    turnId?: string;
    /** Set when the text was recognised from speech already (streaming recognition in the gateway). */
    spoken?: { endedAt: number; timings: TurnTimings };
  }): Promise<string> {
    const turnId = input.turnId ?? randomUUID();
    const endedAt = input.spoken?.endedAt ?? Date.now();
    const via = input.spoken ? 'voice' : 'typed';
    const trace = this.traces.begin(
      turnId,
      { [attr.userId]: input.userId, [attr.sessionKind]: sessionKind(input.sessionId), [attr.via]: via, [attr.chars]: input.text.length },
      endedAt,
      input.spoken?.timings ?? {},
    );
    const message: TextMessage = {
      turnId,
      userId: input.userId,
      sessionId: input.sessionId,
      endedAt,
      context: input.context,
      timings: input.spoken?.timings ?? {},
      ...(trace ? { trace } : {}),
      text: input.text,
      via,
    };
    await this.bus.publish(STREAMS.texts, message);
    return turnId;
  }

  /** Puts a turn that waited for a client tool back in the pipeline, with the page's answer. */
  async resume(call: ToolCallMessage, answer: Omit<ToolResult, 'name' | 'phrase'>): Promise<void> {
    const { toolCall, ...turn } = call;
    const toolResults = [...(turn.context.toolResults ?? []), { ...toolCall, ...answer }];
    await this.bus.publish(STREAMS.texts, { ...turn, context: { ...turn.context, toolResults } } satisfies TextMessage);
  }

  async speech(input: {
    userId: string;
    sessionId: string;
    turnId: string;
    pcm: Int16Array;
    endedAt: number;
    vadMs: number;
    context: TurnContext;
  }): Promise<void> {
    const trace = this.traces.begin(
      input.turnId,
      { [attr.userId]: input.userId, [attr.sessionKind]: sessionKind(input.sessionId), [attr.via]: 'voice', [attr.samples]: input.pcm.length },
      input.endedAt,
      { vad: input.vadMs },
    );
    const message: SegmentMessage = {
      turnId: input.turnId,
      userId: input.userId,
      sessionId: input.sessionId,
      endedAt: input.endedAt,
      context: input.context,
      timings: { vad: input.vadMs },
      ...(trace ? { trace } : {}),
      pcm: Buffer.from(input.pcm.buffer, input.pcm.byteOffset, input.pcm.byteLength).toString('base64'),
      sampleRate: 16000,
    };
    await this.bus.publish(STREAMS.segments, message);
  }
}

/** `rest` for POST /v1/turns, `voice` for a voice socket: the kind, not the id. */
function sessionKind(sessionId: string): string {
  return sessionId.startsWith('rest:') ? 'rest' : 'voice';
}
