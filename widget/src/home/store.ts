import type {
  Habit, HabitStats, JournalEntry, LiveEvent, LiveState, LiveSubscription, SaysoClient, Task, User,
} from '@sayso/sdk';
import { todayIn } from './dates.js';

/** What the connection indicator shows: the live socket's state, or `off` once stopped. */
export type Connection = LiveState;

interface Versioned {
  id: string;
  version: number;
}

/**
 * Everything the home page shows, kept current by one live subscription. Views read the maps and
 * re-render on `subscribe`; every write (the page's own, a live event, a reload) goes through
 * `put*`/`drop*`, which keep the highest version of an item and never bring back a deleted one.
 */
export class HomeStore {
  readonly tasks = new Map<string, Task>();
  readonly entries = new Map<string, JournalEntry>();
  readonly habits = new Map<string, Habit>();
  readonly stats = new Map<string, HabitStats>();
  connection: Connection = 'connecting';
  loaded = false;
  loadError: string | undefined;

  readonly #gone = new Set<string>();
  readonly #listeners = new Set<() => void>();
  readonly #statsLoading = new Map<string, Promise<void>>();
  readonly #statsAgain = new Set<string>();
  #sub: LiveSubscription | undefined;
  #loading: LiveEvent[] | undefined;

  constructor(
    readonly client: SaysoClient,
    public user: User,
    private readonly onSignedOut: (message: string) => void,
  ) {}

  /** The person's today, `YYYY-MM-DD`. */
  today(): string {
    return todayIn(this.user.timeZone);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Subscribes to live updates first, then loads, so no change made in between is missed. */
  start(): void {
    let first = true;
    const loadOnce = () => {
      if (!first) return;
      first = false;
      void this.reload();
    };
    this.#sub = this.client.live({
      onEvent: (event) => this.#apply(event),
      onStateChange: (state) => {
        this.connection = state;
        if (state === 'open') loadOnce();
        this.#emit();
      },
      onResync: () => void this.reload(),
      onError: (err) => this.onSignedOut(err.message),
    });
    // Show what there is even when the live socket cannot open.
    setTimeout(loadOnce, 3_000);
  }

  stop(): void {
    this.#sub?.close();
    this.#sub = undefined;
  }

  /** Replaces everything with what the gateway has now; events that arrive meanwhile are kept. */
  async reload(): Promise<void> {
    this.#loading = [];
    try {
      const [tasks, entries, habits] = await Promise.all([this.#allTasks(), this.client.journal.list({ limit: 100 }), this.client.habits.list()]);
      const stats = await Promise.all(habits.items.map((h) => this.client.habits.stats(h.id)));
      replace(this.tasks, tasks);
      replace(this.entries, entries.items);
      replace(this.habits, habits.items);
      this.stats.clear();
      for (const s of stats) this.stats.set(s.habitId, s);
      this.loaded = true;
      this.loadError = undefined;
      const during = this.#loading;
      this.#loading = undefined;
      for (const event of during) this.#apply(event);
    } catch (err) {
      this.#loading = undefined;
      this.loadError = err instanceof Error ? err.message : String(err);
    }
    this.#emit();
  }

  putTask(task: Task): void {
    if (put(this.tasks, task, this.#gone)) this.#emit();
  }

  dropTask(id: string): void {
    this.#gone.add(id);
    if (this.tasks.delete(id)) this.#emit();
  }

  putEntry(entry: JournalEntry): void {
    if (put(this.entries, entry, this.#gone)) this.#emit();
  }

  dropEntry(id: string): void {
    this.#gone.add(id);
    if (this.entries.delete(id)) this.#emit();
  }

  putHabit(habit: Habit): void {
    if (!put(this.habits, habit, this.#gone)) return;
    if (!this.stats.has(habit.id)) void this.refreshStats(habit.id);
    this.#emit();
  }

  dropHabit(id: string): void {
    this.#gone.add(id);
    this.stats.delete(id);
    if (this.habits.delete(id)) this.#emit();
  }

  /** Fetches a habit's streaks and heatmap again; calls made while one is running coalesce into one more. */
  refreshStats(habitId: string): Promise<void> {
    const running = this.#statsLoading.get(habitId);
    if (running) {
      this.#statsAgain.add(habitId);
      return running;
    }
    const run = this.client.habits
      .stats(habitId)
      .then(
        (stats) => {
          if (this.habits.has(habitId)) this.stats.set(habitId, stats);
          this.#emit();
        },
        () => {}, // a deleted habit, or offline: the next event or reload fixes it
      )
      .finally(() => {
        this.#statsLoading.delete(habitId);
        if (this.#statsAgain.delete(habitId)) void this.refreshStats(habitId);
      });
    this.#statsLoading.set(habitId, run);
    return run;
  }

  #apply(event: LiveEvent): void {
    this.#loading?.push(event);
    switch (event.type) {
      case 'task_update':
        if (event.data.op === 'deleted') this.dropTask(event.data.task.id);
        else this.putTask(event.data.task);
        return;
      case 'journal_update':
        if (event.data.op === 'deleted') this.dropEntry(event.data.entry.id);
        else this.putEntry(event.data.entry);
        return;
      case 'habit_update':
        if (event.data.op === 'deleted') this.dropHabit(event.data.habit.id);
        else this.putHabit(event.data.habit);
        return;
      case 'checkin_update':
        void this.refreshStats(event.data.habitId);
        return;
      default:
        return; // voice transcripts and turn results are the widget's to show
    }
  }

  /** Open tasks (every page) and the latest done ones. */
  async #allTasks(): Promise<Task[]> {
    const open: Task[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await this.client.tasks.list({ status: 'open', limit: 200, cursor });
      open.push(...res.items);
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    const done = await this.client.tasks.list({ status: 'done', limit: 100 });
    return [...open, ...done.items];
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** Keeps the newer of two versions of an item; false when nothing changed. */
function put<T extends Versioned>(map: Map<string, T>, item: T, gone: Set<string>): boolean {
  if (gone.has(item.id)) return false;
  const had = map.get(item.id);
  if (had && had.version > item.version) return false;
  map.set(item.id, item);
  return true;
}

function replace<T extends Versioned>(map: Map<string, T>, items: T[]): void {
  map.clear();
  for (const item of items) map.set(item.id, item);
}
