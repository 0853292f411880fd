import { MemoryBus } from './memory-bus.js';
import type { EventBus } from './port.js';
import { RedisBus } from './redis-bus.js';

export interface BusConfig {
  /** Redis Streams when set (several processes); otherwise the in-process bus (one process). */
  redisUrl?: string | undefined;
  /** Key prefix for Redis streams (default "sayso:"); ignored by the in-process bus. */
  prefix?: string | undefined;
}

/**
 * Opens the bus the configuration asks for.
 *
 * @example
 * const bus = openBus({ redisUrl: process.env.REDIS_URL });
 */
export function openBus(config: BusConfig): EventBus {
  if (!config.redisUrl) return new MemoryBus();
  return new RedisBus(config.redisUrl, config.prefix === undefined ? {} : { prefix: config.prefix });
}
