import type { Action, Understanding } from '@sayso/protocol';
import OpenAI from 'openai';
import type { Understander, UnderstandContext } from './port.js';
import { ACTION_TOOLS, LLMError, toAction } from './tools.js';

/** How to reach OpenAI or any server that speaks its chat completions API (Ollama, llama.cpp). */
export interface OpenAIClientOptions {
  apiKey: string;
  /** Another OpenAI-compatible endpoint, e.g. `http://localhost:11434/v1` for Ollama. */
  baseURL?: string;
  /** Per request, in ms. Default 10 s: a voice turn is waiting, and the fallback answers at once. */
  timeoutMs?: number;
  /** The SDK's own retries with backoff on 429, 5xx and timeouts. Default 1. */
  maxRetries?: number;
}

export interface OpenAIUnderstanderOptions extends OpenAIClientOptions {
  /** Default `gpt-4o-mini`; it must support tool calls. */
  model?: string;
  /** Default 0, for repeatable parsing. Reasoning models accept only their default: pass null. */
  temperature?: number | null;
}

/** Longest transcript sent; a spoken request is far shorter, this only bounds a runaway STT. */
const MAX_TRANSCRIPT = 2_000;
/** A valid tool call is a confident reading; the model gives no score of its own. */
const SURE = 0.9;

/**
 * Understanding through a model's tool calls: one function per kind of action, chosen with
 * `tool_choice: 'required'` and checked by {@link toAction} before it becomes an Action. The
 * transcript and the person's titles go to the API (`capabilities.offline` is false); nothing
 * here logs them.
 *
 * @example
 * ```ts
 * const engine = new OpenAIUnderstander({ apiKey: process.env.OPENAI_API_KEY! });
 * const { action } = await engine.understand('remind me to call mom tomorrow at 9', { now, timeZone: 'Europe/London' });
 * // { kind: 'task', action: 'create', title: 'call mom', dueDate: '2025-03-13', dueTime: '09:00' }
 * // Ollama: new OpenAIUnderstander({ apiKey: 'ollama', baseURL: 'http://localhost:11434/v1', model: 'qwen2.5:7b' })
 * ```
 */
export class OpenAIUnderstander implements Understander {
  readonly id: string;
  readonly capabilities = { offline: false, toolCalls: true } as const;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly temperature: number | null;

  constructor(options: OpenAIUnderstanderOptions) {
    this.model = options.model ?? 'gpt-4o-mini';
    this.id = `openai:${this.model}`;
    this.temperature = options.temperature === undefined ? 0 : options.temperature;
    this.client = createOpenAIClient(options);
  }

  async understand(text: string, context: UnderstandContext): Promise<Understanding> {
    const said = text.trim().slice(0, MAX_TRANSCRIPT);
    if (!said) return { action: { kind: null, action: 'none', reason: 'Nothing was said.' }, confidence: SURE, engine: this.id };
    let res: OpenAI.ChatCompletion;
    try {
      res = await this.client.chat.completions.create({
        model: this.model,
        messages: [
          { role: 'system', content: systemPrompt(context) },
          { role: 'user', content: said },
        ],
        tools: ACTION_TOOLS,
        tool_choice: 'required',
        // One utterance is one action; a second call would be dropped anyway.
        parallel_tool_calls: false,
        ...(this.temperature !== null ? { temperature: this.temperature } : {}),
      });
    } catch (err) {
      throw toLLMError(err, this.model);
    }
    const call = res.choices[0]?.message.tool_calls?.find((c) => c.type === 'function');
    if (!call) {
      throw new LLMError(`${this.id} answered without a tool call; retry, or use a model that supports tool_choice "required".`, { retryable: true });
    }
    const action = toAction(call.function.name, call.function.arguments);
    return { action, confidence: confidenceOf(action, context), engine: this.id };
  }
}

/** "it" with nothing said before is a guess, so the act stage should ask (as the offline engine does). */
function confidenceOf(action: Action, context: UnderstandContext): number {
  const target = 'target' in action && typeof action.target === 'object' ? action.target : undefined;
  return target?.last && !target.text && !context.last ? 0.4 : SURE;
}

/** The person's clock and data, and the rules: everything the model knows besides the words. */
function systemPrompt(context: UnderstandContext): string {
  const now = wallClock(context.now, context.timeZone);
  const days = Array.from({ length: 7 }, (_, i) => {
    const d = new Date(Date.parse(`${now.day}T12:00:00Z`) + (i + 1) * 86_400_000);
    return `${d.toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' })} ${d.toISOString().slice(0, 10)}`;
  });
  const names = (list: readonly string[] | undefined, max: number) =>
    list?.length ? JSON.stringify(list.slice(0, max).map((s) => s.slice(0, 120))) : 'none';
  const last = context.last
    ? `The item just talked about ("it", "that"): ${context.last.kind} ${JSON.stringify(context.last.title.slice(0, 120))}; set last: true to mean it.`
    : 'Nothing was talked about before, so "it" points at nothing.';
  return [
    "You turn one thing a person said to Sayso, a voice assistant for their tasks, calendar, journal and habits, into exactly one tool call.",
    `Now: ${now.weekday} ${now.day}, ${now.time} (${context.timeZone}). Resolve "tomorrow", "Friday", "tonight" from here; write days as YYYY-MM-DD and times as HH:MM (24-hour) in this zone.`,
    `Coming days: ${days.join(', ')}.`,
    `Open tasks: ${names(context.taskTitles, 100)}.`,
    `Habits: ${names(context.habitNames, 50)}.`,
    `Lists: ${names(context.lists, 30)}.`,
    last,
    'Rules:',
    '- Anything that is not a request about their tasks, calendar, journal or habits (small talk, general questions, weather, music, devices, other apps) is none. If unsure, none: a wrong write is worse than asking.',
    '- Reminders and to-dos are tasks; appointments and meetings on a day are events.',
    '- To point at an existing task or habit, use its exact title or name from above when one fits.',
    '- Leave out anything not said; never invent dates, times, titles or priorities.',
    '- Write to the journal only when asked to; keep the entry in their words.',
  ].join('\n');
}

function wallClock(now: Date, timeZone: string): { day: string; weekday: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: `${get('year')}-${get('month')}-${get('day')}`, weekday: get('weekday'), time: `${get('hour')}:${get('minute')}` };
}

/** One SDK client per engine; shared by understanding and insights. */
export function createOpenAIClient(options: OpenAIClientOptions): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    maxRetries: options.maxRetries ?? 1,
    timeout: options.timeoutMs ?? 10_000,
  });
}

/** Maps SDK errors to messages that say what to do. Never includes the request's text. */
export function toLLMError(err: unknown, model: string): LLMError {
  if (!(err instanceof OpenAI.APIError)) {
    return new LLMError('The model API failed unexpectedly; retry later.', { retryable: true, cause: err });
  }
  const ref = err.requestID ? ` (request ${err.requestID})` : '';
  const status = err.status;
  const opts = (retryable: boolean) => (status === undefined ? { retryable, cause: err } : { retryable, status, cause: err });
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new LLMError(`The model API did not answer in time: check the network and OPENAI_BASE_URL, or raise timeoutMs, then retry.`, opts(true));
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new LLMError('Could not reach the model API: check the network and OPENAI_BASE_URL, then retry.', opts(true));
  }
  if (err instanceof OpenAI.AuthenticationError) {
    return new LLMError(`The model API rejected the API key (401)${ref}: check OPENAI_API_KEY.`, opts(false));
  }
  if (err instanceof OpenAI.PermissionDeniedError) {
    return new LLMError(`The model API denied access to ${model} (403)${ref}: check the key's project and model permissions.`, opts(false));
  }
  if (err instanceof OpenAI.RateLimitError) {
    return err.code === 'insufficient_quota'
      ? new LLMError(`The model API quota is exhausted (429)${ref}: add credit or raise the limit for this OPENAI_API_KEY.`, opts(false))
      : new LLMError(`The model API rate limit was reached (429)${ref}: retry later, or send fewer requests.`, opts(true));
  }
  if (err instanceof OpenAI.NotFoundError) {
    return new LLMError(`The model API does not know the model ${model} (404)${ref}: check SAYSO_LLM_MODEL.`, opts(false));
  }
  if (status !== undefined && status >= 500) {
    return new LLMError(`The model API had a server error (${status})${ref}: retry later.`, opts(true));
  }
  // err.message may quote the request; keep only its code.
  return new LLMError(
    `The model API refused the request (${status ?? 'no status'}, ${err.code ?? err.type ?? 'no code'})${ref}: check that ${model} supports tool calls.`,
    opts(false),
  );
}
