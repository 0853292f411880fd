// The offscreen document: the one place that holds the microphone and the voice session.
// Pages never ask for the mic; the extension's origin was granted it once (options page).
// The background sends it toggle/cancel; it sends voice events back, tagged with the tab.
import { SaysoClient, type VoiceSession } from '@sayso/sdk';
import { browser } from 'wxt/browser';
import { chipFrom } from '../../lib/chips';
import type { BackgroundRequest, OffscreenRequest, PageContext, Reply, VoiceEvent } from '../../lib/messages';
import type { Settings, StoredSession } from '../../lib/settings';

/** A push-to-talk session stays connected this long after a turn, so the next press starts at once. */
const IDLE_CLOSE_MS = 60_000;

let voice: VoiceSession | undefined;
let voiceKey = '';
let tabId = -1;
let capturing = false;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

browser.runtime.onMessage.addListener((msg: OffscreenRequest, _sender, sendResponse) => {
  if (msg.target !== 'offscreen') return false;
  handle(msg).then(
    (value) => sendResponse({ ok: true, value } satisfies Reply<unknown>),
    (err: unknown) => sendResponse({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply<unknown>),
  );
  return true;
});

async function handle(msg: OffscreenRequest): Promise<unknown> {
  switch (msg.type) {
    case 'toggle':
      return toggle(msg.tabId, msg.settings, msg.session);
    case 'cancel':
      if (voice) {
        voice.cancel();
        if (voice.mode === 'hands-free') closeVoice();
      }
      capturing = false;
      emit({ name: 'ended', reason: 'cancelled' });
      return { capturing };
    case 'status':
      return { capturing, state: voice?.state ?? 'disconnected', tabId };
  }
}

async function toggle(forTab: number, settings: Settings, session: StoredSession): Promise<{ capturing: boolean }> {
  clearTimeout(idleTimer);
  if (capturing) {
    capturing = false;
    if (settings.mode === 'hands-free') {
      closeVoice();
      emit({ name: 'ended', reason: 'stopped' });
    } else {
      voice?.release(); // the turn goes to Sayso; its result still comes to this tab
      idleTimer = setTimeout(closeVoice, IDLE_CLOSE_MS);
    }
    return { capturing };
  }
  tabId = forTab;
  const v = await openVoice(settings, session);
  capturing = true;
  if (v.mode === 'push-to-talk') v.press();
  return { capturing };
}

async function openVoice(settings: Settings, session: StoredSession): Promise<VoiceSession> {
  const key = [settings.gatewayUrl, session.token, settings.mode, settings.speakReplies, settings.language].join('|');
  if (voice && voiceKey === key && voice.state !== 'disconnected' && voice.state !== 'error') return voice;
  closeVoice();
  const client = new SaysoClient({ baseUrl: settings.gatewayUrl, token: session.token, source: 'extension' });
  const v = client.voice({
    mode: settings.mode,
    speakReplies: settings.speakReplies,
    tools: [
      {
        name: 'current_page',
        description: 'Title, link and selected text of the web page the person is looking at',
        refersTo: ['this page', 'this article', 'this tab', 'this site', 'this'],
        handler: () => pageContext(),
      },
    ],
  });
  v.on('state', ({ state }) => emit({ name: 'state', state }));
  v.on('level', ({ level }) => capturing && emit({ name: 'level', level }));
  v.on('transcript', ({ turnId, text, final }) => emit({ name: 'transcript', turnId, text, final }));
  v.on('result', ({ turnId, text, reply, outcome }) => emit({ name: 'result', turnId, text, reply, outcome, chip: chipFrom(outcome) }));
  v.on('tool', ({ name, ok }) => emit({ name: 'tool', tool: name, ok }));
  v.on('error', ({ kind, message }) =>
    emit({
      name: 'error',
      kind,
      // The SDK speaks of the address bar; here the grant is the extension's, from its options page.
      message: kind === 'mic_denied' ? 'Sayso may not use the microphone yet. Click "Allow microphone" on the Sayso options page (opened for you), then try again.' : message,
    }),
  );
  voice = v;
  voiceKey = key;
  await v.connect();
  return v;
}

function closeVoice(): void {
  clearTimeout(idleTimer);
  voice?.close();
  voice = undefined;
  voiceKey = '';
}

function pageContext(): Promise<PageContext> {
  return ask<PageContext>({ type: 'page:context', tabId });
}

function emit(event: VoiceEvent): void {
  void ask({ type: 'voice:event', tabId, event }).catch(() => {});
}

async function ask<T>(msg: BackgroundRequest): Promise<T> {
  const reply = (await browser.runtime.sendMessage(msg)) as Reply<T>;
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}
