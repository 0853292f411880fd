import type { Habit, HabitCadence, HabitCheckin } from '@sayso/protocol';
import { enc, randomId, type CreateOptions, type Http, type RequestOptions } from '../http.js';

export interface HabitCreateParams {
  /** Unique per person, ignoring case. */
  name: string;
  /** Default `daily`. */
  cadence?: HabitCadence;
  /** Check-ins (or summed values) per period that count as done; default 1. */
  target?: number;
}

export interface HabitUpdateParams extends Partial<HabitCreateParams> {
  /** The version you last saw; the update fails with a ConflictError if the habit changed since. */
  version: number;
}

export interface CheckInParams {
  /** `YYYY-MM-DD`; default today in the person's time zone. */
  day?: string;
  /** Default 1. */
  value?: number;
  note?: string | null;
}

export interface HabitStats {
  habitId: string;
  /** Consecutive periods (days or weeks) meeting the target, up to now. */
  currentStreak: number;
  longestStreak: number;
  /** The last 12 weeks of check-ins, for a heatmap. */
  days: Array<{ day: string; value: number }>;
}

/** `client.habits`: things to do every day or week, with check-ins and streaks. */
export class Habits {
  constructor(private readonly http: Http) {}

  /**
   * All habits, oldest first.
   *
   * @example
   * const { items } = await client.habits.list();
   */
  list(opts: RequestOptions = {}): Promise<{ items: Habit[] }> {
    return this.http.request({ method: 'GET', path: '/v1/habits', signal: opts.signal });
  }

  /**
   * One habit.
   *
   * @example
   * const habit = await client.habits.get(id);
   */
  get(id: string, opts: RequestOptions = {}): Promise<Habit> {
    return this.http.request({ method: 'GET', path: `/v1/habits/${enc(id)}`, signal: opts.signal });
  }

  /**
   * Creates a habit. Sent with an Idempotency-Key, so the SDK's retries never create it twice.
   *
   * @example
   * const habit = await client.habits.create({ name: 'Stretch', cadence: 'daily' });
   */
  create(params: HabitCreateParams, opts: CreateOptions = {}): Promise<Habit> {
    const idempotencyKey = opts.idempotencyKey ?? randomId();
    return this.http.request({ method: 'POST', path: '/v1/habits', body: params, idempotencyKey, signal: opts.signal });
  }

  /**
   * Changes a habit; send the version you last saw.
   *
   * @example
   * await client.habits.update(habit.id, { version: habit.version, target: 3, cadence: 'weekly' });
   */
  update(id: string, params: HabitUpdateParams, opts: RequestOptions = {}): Promise<Habit> {
    return this.http.request({ method: 'PATCH', path: `/v1/habits/${enc(id)}`, body: params, signal: opts.signal });
  }

  /**
   * Deletes a habit.
   *
   * @example
   * await client.habits.remove(habit.id, { version: habit.version });
   */
  remove(id: string, params: { version?: number } = {}, opts: RequestOptions = {}): Promise<Habit> {
    return this.http.request({ method: 'DELETE', path: `/v1/habits/${enc(id)}`, ifMatch: params.version, signal: opts.signal });
  }

  /**
   * Current and longest streak, and the last 12 weeks of check-ins.
   *
   * @example
   * const { currentStreak } = await client.habits.stats(habit.id);
   */
  stats(id: string, opts: RequestOptions = {}): Promise<HabitStats> {
    return this.http.request({ method: 'GET', path: `/v1/habits/${enc(id)}/stats`, signal: opts.signal });
  }

  /**
   * Check-ins of a habit, newest first.
   *
   * @example
   * const { items } = await client.habits.checkins(habit.id, { from: '2026-11-01' });
   */
  checkins(id: string, params: { from?: string; to?: string } = {}, opts: RequestOptions = {}): Promise<{ items: HabitCheckin[] }> {
    return this.http.request({ method: 'GET', path: `/v1/habits/${enc(id)}/checkins`, query: params, signal: opts.signal });
  }

  /**
   * Checks in (today unless `day` is given). Checking in again the same day replaces the value.
   *
   * @example
   * await client.habits.checkIn(habit.id, { value: 20, note: 'minutes' });
   */
  checkIn(id: string, params: CheckInParams = {}, opts: RequestOptions = {}): Promise<HabitCheckin> {
    return this.http.request({ method: 'POST', path: `/v1/habits/${enc(id)}/checkins`, body: params, signal: opts.signal });
  }

  /**
   * Removes the check-in of a day.
   *
   * @example
   * await client.habits.removeCheckin(habit.id, '2026-11-28');
   */
  removeCheckin(id: string, day: string, opts: RequestOptions = {}): Promise<HabitCheckin> {
    return this.http.request({ method: 'DELETE', path: `/v1/habits/${enc(id)}/checkins/${enc(day)}`, signal: opts.signal });
  }
}
