import { useSyncExternalStore } from 'react';
import { browser } from 'wxt/browser';
import type { Chip } from '../lib/chips';
import type { TabMessage, TextTurnResult, VoiceEvent } from '../lib/messages';

type SessionState = Extract<VoiceEvent, { name: 'state' }>['state'];

export interface ChipEntry {
  chip: Chip;
  /** `undone` after Undo; `renamed` shows the new title. */
  status: 'shown' | 'undone' | 'renamed' | 'busy';
  error?: string;
  /** A word on what the surface did besides, e.g. "moved to Thu 3 Dec". */
  note?: string;
}

/** What a voice surface (overlay, Sheets sidebar, Calendar overlay) shows. */
export interface VoiceView {
  visible: boolean;
  state: SessionState;
  transcript: string;
  final: boolean;
  reply: string;
  chips: ChipEntry[];
  error: string | null;
}

const INITIAL: VoiceView = {
  visible: false, state: 'disconnected', transcript: '', final: false, reply: '', chips: [], error: null,
};
const MAX_CHIPS = 6;

/**
 * The state of a voice surface in a tab, fed by the background's `voice:event` messages. It
 * listens from creation, before React mounts, so the first events are not lost.
 */
export class VoiceStore {
  #view = INITIAL;
  #level = 0;
  readonly #listeners = new Set<() => void>();
  readonly #levelListeners = new Set<() => void>();
  readonly #resultHooks = new Set<(e: Extract<VoiceEvent, { name: 'result' }>) => void>();

  /** `visible`: shown from the start (the overlay is injected by a hotkey press, so it is wanted at once). */
  constructor(opts: { visible?: boolean; listen?: boolean } = {}) {
    this.#view = { ...INITIAL, visible: opts.visible ?? false };
    if (opts.listen === false) return;
    browser.runtime.onMessage.addListener((msg: TabMessage, _sender, sendResponse) => {
      if (msg.type === 'voice:event') this.apply(msg.event);
      else if (msg.type === 'overlay:show') this.update({ visible: true, error: null });
      else if (msg.type === 'surface:ping') sendResponse(true);
      return false;
    });
  }

  get view(): VoiceView {
    return this.#view;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  };

  /** The mic level (0..1), about 20 times a second; kept out of `view` so only the meter re-renders. */
  get level(): number {
    return this.#level;
  }

  subscribeLevel = (fn: () => void): (() => void) => {
    this.#levelListeners.add(fn);
    return () => this.#levelListeners.delete(fn);
  };

  #setLevel(level: number): void {
    if (level === this.#level) return;
    this.#level = level;
    for (const fn of this.#levelListeners) fn();
  }

  /** Called with every result, after it is shown. */
  onResult(fn: (e: Extract<VoiceEvent, { name: 'result' }>) => void): () => void {
    this.#resultHooks.add(fn);
    return () => this.#resultHooks.delete(fn);
  }

  update(changes: Partial<VoiceView>): void {
    this.#view = { ...this.#view, ...changes };
    for (const fn of this.#listeners) fn();
  }

  apply(e: VoiceEvent): void {
    switch (e.name) {
      case 'state':
        // Only a new capture brings the surface back: a late `idle` after Escape must not.
        this.update({
          state: e.state,
          ...(e.state === 'listening' ? { transcript: '', final: false, reply: '', error: null, visible: true } : {}),
        });
        return;
      case 'level':
        this.#setLevel(e.level);
        return;
      case 'transcript':
        this.update({ transcript: e.text, final: e.final, visible: true });
        return;
      case 'result':
        this.update({
          transcript: e.text || this.#view.transcript,
          final: true,
          reply: e.reply,
          chips: e.chip ? [{ chip: e.chip, status: 'shown' as const }, ...this.#view.chips].slice(0, MAX_CHIPS) : this.#view.chips,
        });
        for (const fn of this.#resultHooks) fn(e);
        return;
      case 'tool':
        return;
      case 'error':
        this.update({ error: e.message, visible: true });
        return;
      case 'ended':
        this.#setLevel(0);
        if (e.reason === 'cancelled') this.update({ visible: false, transcript: '', reply: '' });
        return;
    }
  }

  /** A typed command's result, shown like a spoken one (with the words typed, not the rewritten ones sent). */
  applyText(typed: string, r: TextTurnResult): void {
    this.apply({ name: 'result', turnId: r.turnId, text: typed, reply: r.reply ?? '', outcome: r.outcome ?? { status: 'failed' }, chip: r.chip });
  }

  setChip(id: string, changes: Partial<ChipEntry>): void {
    this.update({ chips: this.#view.chips.map((c) => (c.chip.id === id ? { ...c, ...changes } : c)) });
  }
}

export function useVoiceView(store: VoiceStore): VoiceView {
  return useSyncExternalStore(store.subscribe, () => store.view);
}

export function useVoiceLevel(store: VoiceStore): number {
  return useSyncExternalStore(store.subscribeLevel, () => store.level);
}
