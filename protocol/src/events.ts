import type { Action } from './actions.js';
import type { Habit, HabitCheckin, JournalEntry, Source, Task } from './entities.js';

export type ChangeOp = 'created' | 'updated' | 'completed' | 'reopened' | 'deleted';

interface EventBase<T extends string, D> {
  /** Protocol version of this event's shape. */
  v: 1;
  /** Per-person sequence number: strictly increasing, no gaps. Resume with the last one seen. */
  id: number;
  type: T;
  /** ISO-8601 instant the change was committed. */
  at: string;
  /** What caused the change (REST, voice, a sync); turn id when a voice turn did it. */
  source: Source;
  turnId?: string;
  data: D;
}

export type TaskUpdate = EventBase<'task_update', { op: ChangeOp; task: Task }>;
export type JournalUpdate = EventBase<'journal_update', { op: ChangeOp; entry: JournalEntry }>;
export type HabitUpdate = EventBase<'habit_update', { op: ChangeOp; habit: Habit }>;
export type CheckinUpdate = EventBase<'checkin_update', { op: ChangeOp; checkin: HabitCheckin; habitId: string }>;
/**
 * Interim (`final: false`) and final transcripts of a voice turn, as they arrive. Transient: not
 * stored or replayed on resume; `id` is the last stored event's id when it was sent.
 */
export type VoiceTranscript = EventBase<'voice_transcript', { turnId: string; text: string; final: boolean }>;
/** What a turn did and said, with its stage timings (ms). Transient, like transcripts. */
export type TurnResult = EventBase<
  'turn_result',
  { turnId: string; text: string; reply: string; outcome: TurnOutcome; timings: Record<string, number> }
>;

/** How a Google sync link stands (GET /v1/google/status has the same shape per link). */
export interface SyncStatus {
  provider: 'sheets' | 'calendar';
  /** `paused`: Google access was revoked, sign in with Google again; `error`: see `error`, retried. */
  state: 'ok' | 'paused' | 'error';
  lastSyncAt: string | null;
  /** What went wrong and what to do, when `state` is not `ok`. */
  error: string | null;
  /** Conflicts resolved since the link was made; each is in GET /v1/sync/log. */
  conflicts: number;
}
/**
 * A Google sync pass finished (with how many items it wrote to Google and to Sayso), failed, or
 * sync was paused. Transient, like transcripts.
 */
export type SyncStatusUpdate = EventBase<'sync_status', SyncStatus & { pushed: number; pulled: number }>;

/** Every event a live subscriber can receive. Switch on `type`. */
export type LiveEvent = TaskUpdate | JournalUpdate | HabitUpdate | CheckinUpdate | VoiceTranscript | TurnResult | SyncStatusUpdate;
export type LiveEventType = LiveEvent['type'];
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = [
  'task_update',
  'journal_update',
  'habit_update',
  'checkin_update',
  'voice_transcript',
  'turn_result',
  'sync_status',
];

/** Events that are not stored, not counted in ids and not replayed on resume. */
export const TRANSIENT_EVENT_TYPES: readonly LiveEventType[] = ['voice_transcript', 'turn_result', 'sync_status'];

/** What a turn did, for chips in the UI (undo / edit) and for the conversation's next turn. */
export interface TurnOutcome {
  action: Action;
  /** `done`: written; `answered`: a question answered; `none`: nothing to do; `failed`: see the reply. */
  status: 'done' | 'answered' | 'none' | 'failed';
  item?: {
    kind: 'task' | 'event' | 'habit' | 'journal' | 'checkin';
    id: string;
    title: string;
    version?: number;
    /** Check-ins: the habit and the day, to undo it. */
    habitId?: string;
    day?: string;
  };
}
