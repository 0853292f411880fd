// Entities as they travel over the wire: ids are UUID strings, instants are ISO-8601 strings,
// calendar days are `YYYY-MM-DD` and clock times `HH:MM` in the person's own time zone.

export type TaskStatus = 'open' | 'done';
export type TaskPriority = 'none' | 'low' | 'medium' | 'high';
/** Where a change came from; sync uses it to avoid echoing a change back to its origin. */
export type Source = 'api' | 'voice' | 'widget' | 'extension' | 'sheets' | 'calendar';

export interface Task {
  id: string;
  title: string;
  notes: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: string | null;
  dueTime: string | null;
  list: string;
  source: Source;
  sheetsRowId: string | null;
  calendarEventId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/** A journal entry holds plain `text`, or `ciphertext` + `iv` + `keyId` when the client encrypted it. */
export interface JournalEntry {
  id: string;
  text: string | null;
  ciphertext: string | null;
  iv: string | null;
  keyId: string | null;
  mood: number | null;
  day: string;
  source: Source;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface JournalSearchHit {
  entry: JournalEntry;
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
}

export type HabitCadence = 'daily' | 'weekly';

export interface Habit {
  id: string;
  name: string;
  cadence: HabitCadence;
  /** Check-ins (or summed values) per cadence period that count as done. */
  target: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface HabitCheckin {
  id: string;
  habitId: string;
  day: string;
  value: number;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface User {
  id: string;
  name: string;
  email: string | null;
  timeZone: string;
}
