import type { Understanding } from '@sayso/protocol';
import type { Understander, UnderstanderCapabilities, UnderstandContext } from './port.js';
import { LLMError } from './tools.js';

export interface FallbackOptions {
  /**
   * Told each time an engine fails and the next one is tried, e.g. to log and count it. Gets ids
   * and the error, never the transcript; the errors of this folder never quote it either.
   */
  onFallback?: (failure: { failed: string; next: string; error: unknown }) => void;
}

/**
 * Tries each engine in turn and answers with the first that succeeds: a network error, a
 * timeout, a 5xx, a rejected key or an invalid tool call from the model all move on to the next.
 * `Understanding.engine` says which engine answered.
 *
 * @example
 * ```ts
 * const understander = new FallbackUnderstander([new OpenAIUnderstander({ apiKey }), new OfflineUnderstander()], {
 *   onFallback: ({ failed, next, error }) => log.warn({ failed, next, err: String(error) }, 'understanding fell back'),
 * });
 * ```
 */
export class FallbackUnderstander implements Understander {
  /** The first choice's id: what answers when all is well. */
  readonly id: string;
  readonly capabilities: UnderstanderCapabilities;

  constructor(
    private readonly engines: readonly Understander[],
    private readonly options: FallbackOptions = {},
  ) {
    const first = engines[0];
    if (!first) throw new Error('FallbackUnderstander needs at least one engine, e.g. [new OpenAIUnderstander(...), new OfflineUnderstander()].');
    this.id = first.id;
    this.capabilities = {
      // Offline only if no choice can send the transcript away.
      offline: engines.every((e) => e.capabilities.offline),
      toolCalls: first.capabilities.toolCalls,
    };
  }

  async understand(text: string, context: UnderstandContext): Promise<Understanding> {
    const errors: unknown[] = [];
    for (const [i, engine] of this.engines.entries()) {
      try {
        return await engine.understand(text, context);
      } catch (error) {
        errors.push(error);
        const next = this.engines[i + 1];
        if (next) this.options.onFallback?.({ failed: engine.id, next: next.id, error });
      }
    }
    const messages = errors.map((err, i) => `${this.engines[i]?.id}: ${err instanceof Error ? err.message : String(err)}`);
    // Worth retrying if any choice might recover by itself.
    const retryable = errors.some((err) => !(err instanceof LLMError) || err.retryable);
    throw new LLMError(`Every understanding engine failed. ${messages.join(' | ')}`, { retryable, cause: errors });
  }
}
