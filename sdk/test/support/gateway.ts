import { MemoryBus } from '../../../server/src/bus/memory-bus.js';
import { readConfig } from '../../../server/src/config.js';
import { startGateway, type Gateway } from '../../../server/src/gateway.js';
import { HashEmbedder } from '../../../server/src/providers/embed/fake.js';
import { openTestStore } from '../../../server/test/support/stores.js';

/** A real gateway on a fresh in-process database. PGlite takes seconds: start one per test file. */
export async function startTestGateway(env: Record<string, string> = {}): Promise<{ gw: Gateway; close(): Promise<void> }> {
  const t = await openTestStore('pglite');
  const gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', ...env }), {
    store: t.store,
    bus: new MemoryBus(),
    embedder: new HashEmbedder(),
  });
  return {
    gw,
    close: async () => {
      await gw.close();
      await t.close();
    },
  };
}
