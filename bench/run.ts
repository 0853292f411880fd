import { benchBus } from './bus.js';
import { benchEmbedQuality } from './embed-quality.js';
import { benchGateway } from './gateway-bench.js';
import { benchKnn } from './knn.js';
import { benchPipeline } from './pipeline.js';
import { benchSttWer } from './stt-wer.js';
import { benchTts } from './tts.js';
import { benchVoiceTransport } from './voice-transport.js';
import { benchWidgetSize } from './widget-size.js';

// `npm run bench`: every figure as a labelled line. `npm run bench -- bus knn` runs a subset.
const suites: Record<string, () => Promise<string[]>> = {
  gateway: benchGateway,
  bus: benchBus,
  knn: benchKnn,
  embed: benchEmbedQuality,
  tts: benchTts,
  voice: benchVoiceTransport,
  pipeline: benchPipeline,
  stt: benchSttWer,
  widget: benchWidgetSize,
};

const chosen = process.argv.slice(2).filter((a) => a in suites);
for (const name of chosen.length ? chosen : Object.keys(suites)) {
  const started = Date.now();
  for (const line of await suites[name]!()) console.log(line);
  console.error(`(${name}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
