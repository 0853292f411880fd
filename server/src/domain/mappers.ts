import type { Habit, HabitCheckin, JournalEntry, Source, Task, User } from '@sayso/protocol';
import type { habitCheckins, habits, journalEntries, tasks, users } from '../store/schema.js';

// Rows to wire entities, in one place: the REST responses and the live events use the same shapes.

type Row<T extends { $inferSelect: unknown }> = T['$inferSelect'];

const iso = (d: Date) => d.toISOString();
/** Postgres `time` comes back as HH:MM:SS; the wire uses HH:MM. */
const hhmm = (t: string | null) => (t ? t.slice(0, 5) : null);

export function toTask(r: Row<typeof tasks>): Task {
  return {
    id: r.id,
    title: r.title,
    notes: r.notes,
    status: r.status,
    priority: r.priority,
    dueDate: r.dueDate,
    dueTime: hhmm(r.dueTime),
    list: r.list,
    source: r.source as Source,
    sheetsRowId: r.sheetsRowId,
    calendarEventId: r.calendarEventId,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    completedAt: r.completedAt ? iso(r.completedAt) : null,
  };
}

export function toJournalEntry(r: Row<typeof journalEntries>): JournalEntry {
  return {
    id: r.id,
    text: r.text,
    ciphertext: r.ciphertext,
    iv: r.iv,
    keyId: r.keyId,
    mood: r.mood,
    day: r.day,
    source: r.source as Source,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function toHabit(r: Row<typeof habits>): Habit {
  return {
    id: r.id,
    name: r.name,
    cadence: r.cadence,
    target: r.target,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function toCheckin(r: Row<typeof habitCheckins>): HabitCheckin {
  return {
    id: r.id,
    habitId: r.habitId,
    day: r.day,
    value: r.value,
    note: r.note,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function toUser(r: Row<typeof users>): User {
  return { id: r.id, name: r.name, email: r.email, timeZone: r.timeZone };
}
