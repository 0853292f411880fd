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
/** Interim (`final: false`) and final transcripts of a voice turn, as they arrive. */
export type VoiceTranscript = EventBase<'voice_transcript', { turnId: string; text: string; final: boolean }>;

/** Every event a live subscriber can receive. Switch on `type`. */
export type LiveEvent = TaskUpdate | JournalUpdate | HabitUpdate | CheckinUpdate | VoiceTranscript;
export type LiveEventType = LiveEvent['type'];
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = [
  'task_update',
  'journal_update',
  'habit_update',
  'checkin_update',
  'voice_transcript',
];
