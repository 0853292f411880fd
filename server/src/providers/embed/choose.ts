import type { Config } from '../../config.js';
import { HashEmbedder } from './fake.js';
import { FallbackEmbedder } from './fallback.js';
import { LocalEmbedder } from './local.js';
import { OpenAIEmbedder } from './openai.js';
import type { Embedder } from './port.js';

/** Picks the journal embedder from config and says why, for the start-up log. */
export function chooseEmbedder(config: Pick<Config, 'embedder' | 'openaiApiKey' | 'openaiBaseUrl' | 'embedModel'>): {
  embedder: Embedder;
  why: string;
} {
  const openai = () =>
    new OpenAIEmbedder({
      apiKey: config.openaiApiKey ?? 'not-needed',
      model: config.embedModel,
      ...(config.openaiBaseUrl ? { baseURL: config.openaiBaseUrl } : {}),
    });
  switch (config.embedder) {
    case 'hash':
      return { embedder: new HashEmbedder(), why: 'SAYSO_EMBEDDER=hash (fast, weak; for tests)' };
    case 'local':
      return { embedder: new LocalEmbedder(), why: 'SAYSO_EMBEDDER=local' };
    case 'openai':
      return { embedder: new FallbackEmbedder([openai(), new LocalEmbedder()]), why: 'SAYSO_EMBEDDER=openai, local when it fails' };
    case 'auto':
      return config.openaiApiKey || config.openaiBaseUrl
        ? { embedder: new FallbackEmbedder([openai(), new LocalEmbedder()]), why: 'OpenAI-compatible API configured; local when it fails' }
        : { embedder: new LocalEmbedder(), why: 'no OPENAI_API_KEY: local sentence encoder, no network' };
  }
}
