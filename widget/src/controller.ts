import { SaysoClient, type LiveEvent, type LiveState, type LiveSubscription, type TurnOutcome, type VoiceSession, type VoiceSessionState } from '@sayso/sdk';
import type { WidgetConfig } from './config.js';
import { applyEntry, applyHabit, applyStats, applyTask, dayIn, EMPTY_DATA, RECENT_ENTRIES, type PanelData } from './data.js';
import { problem, requestProblem, signInProblem, voiceProblem, type Problem } from './problems.js';

// The widget's state and everything it does with the SDK. The views read `state` and call
// methods; nothing here touches the DOM except through `emit` (the host page's events).

export interface WidgetState {
  /** `starting` until signed in and the panels loaded; `stopped` after `stop()` or a fatal problem. */
  status: 'starting' | 'ready' | 'stopped';
  /** The person's today, `YYYY-MM-DD`. */
  today: string;
  data: PanelData;
  live: LiveState | 'off';
  problem: Problem | undefined;
  voice: VoiceSessionState;
  /** Push-to-talk is held (button or Space). */
  pressed: boolean;
  /** Hands-free with the mic muted by the person. */
  muted: boolean;
  /** What is being heard, or was heard last. */
  transcript: { turnId: string; text: string; final: boolean } | undefined;
  /** Sayso's last answer. */
  reply: string | undefined;
  /** What turns did, newest first. */
  chips: Chip[];
}


/** What a turn did, shown as a chip that can be undone (and, for tasks, journal and habits, edited). */
export interface Chip {
  turnId: string;
  heard: string;
  reply: string;
  outcome: TurnOutcome;
  item: NonNullable<TurnOutcome['item']>;
  status: 'done' | 'busy' | 'undone';
}

/** Chips kept on screen. */
const MAX_CHIPS = 5;

/** `sayso:<name>` events on the element; see the README for each detail. */
export type Emit = (name: 'ready' | 'state' | 'transcript' | 'action' | 'undo' | 'error', detail: unknown) => void;

export class WidgetController {
  state: WidgetState = { status: 'starting', today: dayIn(undefined), data: EMPTY_DATA, live: 'off', problem: undefined,
    voice: 'disconnected', pressed: false, muted: false, transcript: undefined, reply: undefined, chips: [],
  };
  client: SaysoClient | undefined;
  #timeZone: string | undefined;
  #sub: LiveSubscription | undefined;
  #listeners = new Set<() => void>();
  #statsTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #stopped = false;
  #voice: VoiceSession | undefined;
  /** Whether the voice session was opened with the mic (a text-only one is reopened for speech). */
  #voiceHasMic = false;
  #levelListeners = new Set<(level: number) => void>();

  constructor(
    readonly config: WidgetConfig,
    readonly emit: Emit,
  ) {}

  /** Views re-render on every change. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  protected set(patch: Partial<WidgetState>): void {
    if (this.#stopped && patch.status !== 'stopped') return;
    this.state = { ...this.state, ...patch };
    for (const fn of this.#listeners) fn();
  }

  protected setData(change: (data: PanelData) => PanelData): void {
    this.set({ data: change(this.state.data) });
  }

  /** Shows a problem, and tells the host page. */
  report(p: Problem | undefined): void {
    this.set({ problem: p });
    if (p) this.emit('error', { kind: p.kind, message: `${p.title}. ${p.detail}` });
  }

  /** Signs in (key or token), loads the panels and subscribes to live changes. */
  async start(): Promise<void> {
    const { server, key, token } = this.config;
    this.set({ status: 'starting', problem: undefined });
    if (!key && !token) {
      this.report(problem('config', 'Sayso is not set up on this page', 'The <sayso-widget> element needs a key="pk_..." attribute (or a token). The site owner can copy the key from Sayso.'));
      this.set({ status: 'stopped' });
      return;
    }
    try {
      this.client = key
        ? await SaysoClient.fromPublishableKey(server, key, { source: 'widget' })
        : new SaysoClient({ baseUrl: server, token: token!, source: 'widget' });
      if (this.#stopped) return;
      const me = await this.client.me();
      this.#timeZone = me.timeZone;
      this.set({ today: dayIn(me.timeZone) });
    } catch (err) {
      this.report(signInProblem(err, { server, usingKey: Boolean(key) }));
      this.set({ status: 'stopped' });
      return;
    }
    // Not loaded: "Try again" starts over from signing in.
    if (!(await this.reload())) return void this.set({ status: 'stopped' });
    if (this.#stopped) return;
    this.#subscribe();
    this.set({ status: 'ready' });
    this.emit('ready', { server });
  }

  /** Loads every panel again over REST (at start, after a resync, on "Try again"). */
  async reload(): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    try {
      const [tasks, journal, habits] = await Promise.all([
        client.tasks.list({ status: 'open', limit: 100 }),
        client.journal.list({ limit: RECENT_ENTRIES }),
        client.habits.list(),
      ]);
      this.set({ problem: undefined, today: dayIn(this.#timeZone), data: { tasks: tasks.items, journal: journal.items, habits: habits.items.map((habit) => ({ habit, stats: undefined })) } });
      await Promise.all(habits.items.map((h) => this.#loadStats(h.id)));
      return true;
    } catch (err) {
      this.report(requestProblem(err, this.config.server));
      return false;
    }
  }

  /** "Try again" on a problem. */
  retry(): void {
    this.set({ problem: undefined });
    void (this.state.status === 'stopped' || !this.client ? this.start() : this.reload());
  }

  #subscribe(): void {
    this.#sub = this.client!.live({
      onEvent: (event) => this.#apply(event),
      onResync: () => void this.reload(),
      onStateChange: (live) => this.set({ live }),
      onError: () => this.report(problem('auth', 'Your Sayso session has ended', 'Reload this page to start a new one.')),
    });
  }

  #apply(event: LiveEvent): void {
    switch (event.type) {
      case 'task_update':
        return this.setData((d) => applyTask(d, event.data.op, event.data.task));
      case 'journal_update':
        return this.setData((d) => applyEntry(d, event.data.op, event.data.entry));
      case 'habit_update':
        this.setData((d) => applyHabit(d, event.data.op, event.data.habit));
        if (event.data.op === 'created') this.#statsSoon(event.data.habit.id);
        return;
      case 'checkin_update':
        return this.#statsSoon(event.data.habitId);
      default:
        // Transcripts and turn results come through the widget's own voice session.
        return;
    }
  }

  /** Streaks are the gateway's to count (cadence, target, time zone): fetch them after a check-in. */
  #statsSoon(habitId: string): void {
    clearTimeout(this.#statsTimers.get(habitId));
    this.#statsTimers.set(habitId, setTimeout(() => void this.#loadStats(habitId), 150));
  }

  async #loadStats(habitId: string): Promise<void> {
    try {
      const stats = await this.client!.habits.stats(habitId);
      this.setData((d) => applyStats(d, stats));
    } catch {
      // The heatmap stays as it was; the next change fetches again.
    }
  }

  /** Ticks a task off (or back on) from the panel. */
  async toggleTask(id: string): Promise<void> {
    const task = this.state.data.tasks.find((t) => t.id === id);
    if (!task || !this.client) return;
    try {
      const next = task.status === 'open' ? await this.client.tasks.complete(id, { version: task.version }) : await this.client.tasks.reopen(id, { version: task.version });
      this.setData((d) => applyTask(d, 'updated', next));
    } catch (err) {
      this.report(requestProblem(err, this.config.server));
    }
  }

  // --- Voice and typed turns ---------------------------------------------------------------

  /** The mic level (0..1), about 20 times a second; kept out of `state` so the meter alone repaints. */
  onLevel(fn: (level: number) => void): () => void {
    this.#levelListeners.add(fn);
    return () => this.#levelListeners.delete(fn);
  }

  /** Opens the voice session, with the mic or for text only; a text-only session is reopened for the mic. */
  async #voiceReady(mic: boolean): Promise<VoiceSession | undefined> {
    const client = this.client;
    if (!client) return undefined;
    let voice = this.#voice;
    if (!voice) {
      voice = this.#voice = client.voice({ mode: this.config.handsFree ? 'hands-free' : 'push-to-talk', speakReplies: this.config.voiceReplies });
      this.#listen(voice);
    }
    const up = voice.state !== 'disconnected' && voice.state !== 'error' && voice.state !== 'connecting';
    if (up && (this.#voiceHasMic || !mic)) return voice;
    if (up) voice.close();
    this.#voiceHasMic = false;
    try {
      await voice.connect({ mic });
      this.#voiceHasMic = mic;
      if (this.state.problem) this.set({ problem: undefined });
      return voice;
    } catch {
      return undefined; // the `error` event has reported it
    }
  }

  #listen(voice: VoiceSession): void {
    voice.on('state', ({ state }) => {
      this.set({ voice: state });
      this.emit('state', { state });
    });
    voice.on('level', ({ level }) => {
      for (const fn of this.#levelListeners) fn(level);
    });
    voice.on('transcript', (t) => {
      this.set({ transcript: t });
      this.emit('transcript', t);
    });
    voice.on('result', (r) => {
      const outcome = r.outcome;
      const chip = 'action' in outcome && outcome.item ? { turnId: r.turnId, heard: r.text, reply: r.reply, outcome, item: outcome.item, status: 'done' as const } : undefined;
      this.set({
        reply: r.reply,
        transcript: r.text ? { turnId: r.turnId, text: r.text, final: true } : this.state.transcript,
        chips: chip ? [chip, ...this.state.chips].slice(0, MAX_CHIPS) : this.state.chips,
      });
      if (chip) this.emit('action', { turnId: r.turnId, text: r.text, reply: r.reply, outcome });
    });
    voice.on('error', (e) => this.report(voiceProblem(e.kind, e.message, this.config.server)));
  }

  /** Push-to-talk pressed (pointer or Space). The first press opens the mic; speak after it shows "Listening". */
  async press(): Promise<void> {
    this.set({ pressed: true });
    const voice = await this.#voiceReady(true);
    // Released while the mic was coming up: nothing was said yet.
    if (!voice || !this.state.pressed) return;
    voice.press();
  }

  release(): void {
    if (!this.state.pressed) return;
    this.set({ pressed: false });
    if (this.#voiceHasMic && this.#voice?.state !== 'connecting') this.#voice?.release();
  }

  /** Hands-free: the mic button starts listening, then mutes and unmutes. */
  async toggleHandsFree(): Promise<void> {
    const voice = this.#voice;
    if (voice && this.#voiceHasMic && voice.state !== 'disconnected' && voice.state !== 'error') {
      voice.setMuted(!voice.muted);
      return this.set({ muted: voice.muted });
    }
    this.set({ muted: false });
    await this.#voiceReady(true);
  }

  /** A typed turn, understood like speech. Returns false when it could not be sent. */
  async sendText(text: string): Promise<boolean> {
    const trimmed = text.trim();
    if (!trimmed) return false;
    const voice = await this.#voiceReady(this.#voiceHasMic);
    if (!voice) return false;
    this.set({ transcript: { turnId: '', text: trimmed, final: true }, reply: undefined });
    voice.sendText(trimmed);
    return true;
  }

  /** Follows the `voice-replies` and `hands-free` attributes when they change. */
  configure(config: WidgetConfig): void {
    const voice = this.#voice;
    if (!voice) return;
    if (voice.speakReplies !== config.voiceReplies) voice.setSpeakReplies(config.voiceReplies);
    const mode = config.handsFree ? 'hands-free' : 'push-to-talk';
    if (voice.mode !== mode) voice.setMode(mode);
  }

  /** Undoes what a chip's turn did. */
  async undo(turnId: string): Promise<void> {
    const chip = this.state.chips.find((c) => c.turnId === turnId);
    if (!chip || chip.status !== 'done' || !this.client) return;
    this.#setChip(turnId, { status: 'busy' });
    try {
      await this.client.turns.undo(chip.outcome);
      this.#setChip(turnId, { status: 'undone' });
      this.emit('undo', { turnId, item: chip.item });
    } catch (err) {
      this.#setChip(turnId, { status: 'done' });
      this.report(problem('action', 'That could not be undone', err instanceof Error ? err.message : String(err)));
    }
  }

  /** Renames what a chip's turn made: a task's title, a journal entry's text, a habit's name. */
  async edit(turnId: string, title: string): Promise<void> {
    const chip = this.state.chips.find((c) => c.turnId === turnId);
    const client = this.client;
    const next = title.trim();
    if (!chip || !client || !next || next === chip.item.title) return;
    this.#setChip(turnId, { status: 'busy' });
    const { kind, id } = chip.item;
    try {
      if (kind === 'task') {
        const task = this.state.data.tasks.find((t) => t.id === id) ?? (await client.tasks.get(id));
        const saved = await client.tasks.update(id, { version: task.version, title: next });
        this.setData((d) => applyTask(d, 'updated', saved));
      } else if (kind === 'journal') {
        const entry = this.state.data.journal.find((e) => e.id === id) ?? (await client.journal.get(id));
        const saved = await client.journal.update(id, { version: entry.version, text: next });
        this.setData((d) => applyEntry(d, 'updated', saved));
      } else if (kind === 'habit') {
        const habit = this.state.data.habits.find((h) => h.habit.id === id)?.habit ?? (await client.habits.get(id));
        const saved = await client.habits.update(id, { version: habit.version, name: next });
        this.setData((d) => applyHabit(d, 'updated', saved));
      }
      this.#setChip(turnId, { status: 'done', item: { ...chip.item, title: next } });
    } catch (err) {
      this.#setChip(turnId, { status: 'done' });
      this.report(problem('action', 'That change was not saved', err instanceof Error ? err.message : String(err)));
    }
  }

  #setChip(turnId: string, patch: Partial<Chip>): void {
    this.set({ chips: this.state.chips.map((c) => (c.turnId === turnId ? { ...c, ...patch } : c)) });
  }

  stop(): void {
    this.#stopped = true;
    this.#voice?.close();
    this.#levelListeners.clear();
    this.#sub?.close();
    for (const t of this.#statsTimers.values()) clearTimeout(t);
    this.#listeners.clear();
  }
}
