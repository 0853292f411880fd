import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { FallbackUnderstander } from './llm/fallback.js';
import { OfflineUnderstander } from './llm/offline.js';
import { summarizeJournal } from './llm/insights.js';
import { OpenAIUnderstander } from './llm/openai.js';
import type { Understander } from './llm/port.js';
import { FallbackSTT } from './stt/fallback.js';
import { PocketSphinxSTT } from './stt/local.js';
import { OpenAISTT } from './stt/openai.js';
import type { SpeechToText } from './stt/port.js';
import { ElevenLabsTTS } from './tts/elevenlabs.js';
import { FallbackTTS } from './tts/fallback.js';
import { LocalTTS } from './tts/local.js';
import type { TextToSpeech } from './tts/port.js';

/** An engine and why it was chosen, for the start-up log. */
export interface Chosen<T> {
  engine: T;
  why: string;
}

type VoiceConfig = Pick<
  Config,
  'openaiApiKey' | 'openaiBaseUrl' | 'llmModel' | 'sttModel' | 'understander' | 'stt' | 'tts' | 'elevenLabsApiKey' | 'elevenLabsBaseUrl' | 'elevenLabsVoice'
>;

const openaiConfigured = (c: VoiceConfig) => Boolean(c.openaiApiKey || c.openaiBaseUrl);

/** Cloud first when configured, with the local engine behind it; local always works offline. */
export function chooseUnderstander(c: VoiceConfig, log: Logger): Chosen<Understander> {
  const offline = new OfflineUnderstander();
  if (c.understander === 'offline' || (c.understander === 'auto' && !openaiConfigured(c))) {
    return { engine: offline, why: c.understander === 'offline' ? 'SAYSO_UNDERSTANDER=offline' : 'no OPENAI_API_KEY: offline rules with chrono-node dates' };
  }
  const llm = new OpenAIUnderstander({
    apiKey: c.openaiApiKey ?? 'not-needed', // compatible local servers (Ollama) take any key
    ...(c.openaiBaseUrl ? { baseURL: c.openaiBaseUrl } : {}),
    model: c.llmModel,
  });
  const engine = new FallbackUnderstander([llm, offline], {
    onFallback: ({ failed, next, error }) => log.warn({ failed, next, err: error instanceof Error ? error.message : String(error) }, 'understanding fell back'),
  });
  return { engine, why: `${llm.id} with tool calls; offline rules when it fails` };
}

export function chooseStt(c: VoiceConfig): Chosen<SpeechToText> {
  const local = new PocketSphinxSTT();
  if (c.stt === 'local' || (c.stt === 'auto' && !openaiConfigured(c))) {
    return { engine: local, why: c.stt === 'local' ? 'SAYSO_STT=local' : 'no OPENAI_API_KEY: local pocketsphinx with a command language model, kept warm, streaming' };
  }
  const cloud = new OpenAISTT({ apiKey: c.openaiApiKey ?? 'not-needed', model: c.sttModel, ...(c.openaiBaseUrl ? { baseURL: c.openaiBaseUrl } : {}) });
  return { engine: new FallbackSTT([cloud, local]), why: `${cloud.id} (any OpenAI-compatible server); local pocketsphinx when it fails` };
}

export function chooseTts(c: VoiceConfig): Chosen<TextToSpeech> {
  const local = new LocalTTS();
  if (c.tts === 'local' || (c.tts === 'auto' && !c.elevenLabsApiKey)) {
    return { engine: local, why: c.tts === 'local' ? 'SAYSO_TTS=local' : 'no ELEVENLABS_API_KEY: local flite voice (WASM, no network)' };
  }
  const cloud = new ElevenLabsTTS({
    apiKey: c.elevenLabsApiKey ?? '',
    voiceId: c.elevenLabsVoice,
    ...(c.elevenLabsBaseUrl ? { baseUrl: c.elevenLabsBaseUrl } : {}),
  });
  return { engine: new FallbackTTS([cloud, local]), why: 'ElevenLabs streaming; the local voice when it fails' };
}

/** LLM-written journal summaries when an LLM is configured and chosen; none (offline summary) otherwise. */
export function chooseSummarizer(c: VoiceConfig): ((entries: Array<{ day: string; text: string; mood: number | null }>) => Promise<string>) | undefined {
  if (c.understander === 'offline' || !openaiConfigured(c)) return undefined;
  const opts = { apiKey: c.openaiApiKey ?? 'not-needed', model: c.llmModel, ...(c.openaiBaseUrl ? { baseURL: c.openaiBaseUrl } : {}) };
  return (entries) => summarizeJournal(entries, opts);
}
