import type { Logger } from '../log.js';
import type { Understander } from '../providers/llm/port.js';
import type { Limits } from './limits.js';

/**
 * Model calls per person (SAYSO_LIMIT_LLM_PER_MINUTE). Over the budget, turns are understood by
 * the offline engine instead of being refused: it handles the everyday commands (0.907 action
 * accuracy on SLURP), costs nothing and needs no network, so the limit caps what one account can
 * spend on the model without taking voice away from it. The turn's `understanding.engine` says
 * which engine answered.
 *
 * @example
 * const budget = new LlmBudget(limits, chosen, new OfflineUnderstander(), log);
 * const engine = await budget.engineFor(userId);
 */
export class LlmBudget {
  constructor(
    private readonly limits: Limits,
    private readonly engine: Understander,
    private readonly offline: Understander,
    private readonly log: Logger,
  ) {}

  /** The engine for this person's next turn. An engine that is offline already is never limited. */
  async engineFor(userId: string): Promise<Understander> {
    if (this.engine.capabilities.offline) return this.engine;
    const refused = await this.limits.llm(userId);
    if (!refused) return this.engine;
    this.log.warn({ userId, limit: 'llm', perMinute: this.limits.config.llmPerMinute }, 'model budget spent: offline understanding for this turn');
    return this.offline;
  }
}
