import { randomUUID } from 'node:crypto';
import type { EventBus } from '../bus/port.js';
import { STREAMS, type SegmentMessage, type TextMessage, type ToolResult, type ToolCallMessage, type TurnContext, type TurnTimings } from './messages.js';

/** Starts turns: a typed text or a spoken segment enters the pipeline here. */
export class TurnStarter {
  constructor(private readonly bus: EventBus) {}

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
    const message: TextMessage = {
      turnId,
      userId: input.userId,
      sessionId: input.sessionId,
      endedAt: input.spoken?.endedAt ?? Date.now(),
      context: input.context,
      timings: input.spoken?.timings ?? {},
      text: input.text,
      via: input.spoken ? 'voice' : 'typed',
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
    const message: SegmentMessage = {
      turnId: input.turnId,
      userId: input.userId,
      sessionId: input.sessionId,
      endedAt: input.endedAt,
      context: input.context,
      timings: { vad: input.vadMs },
      pcm: Buffer.from(input.pcm.buffer, input.pcm.byteOffset, input.pcm.byteLength).toString('base64'),
      sampleRate: 16000,
    };
    await this.bus.publish(STREAMS.segments, message);
  }
}
