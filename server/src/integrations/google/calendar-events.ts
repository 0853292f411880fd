import type { calendar_v3 } from '@googleapis/calendar';
import type { Fields } from './merge.js';
import type { LocalItem } from './sayso-side.js';

/** The task fields an event carries (status, priority and list stay in Sayso). */
export const CALENDAR_FIELDS = ['title', 'notes', 'dueDate', 'dueTime'] as const;

/** Timed events last this long; Sayso tasks have no duration. */
const EVENT_MINUTES = 30;

/** An event's fields in the person's time zone: an all-day event has a date and no time. */
export function eventFields(event: calendar_v3.Schema$Event, zone: string): Fields {
  const start = event.start ?? {};
  let dueDate: string | null = start.date ?? null;
  let dueTime: string | null = null;
  if (start.dateTime) [dueDate, dueTime] = wallClock(start.dateTime, zone);
  return { title: event.summary?.trim() || '(no title)', notes: event.description || null, dueDate, dueTime };
}

/** The event for a task: timed at its due time in the person's zone, or all day. */
export function eventBody(item: LocalItem, zone: string): calendar_v3.Schema$Event {
  const f = item.fields;
  const date = String(f['dueDate']);
  const time = f['dueTime'] ? String(f['dueTime']) : null;
  const when = time
    ? { start: { dateTime: `${date}T${time}:00`, timeZone: zone, date: null }, end: { ...addMinutes(date, time, EVENT_MINUTES), timeZone: zone, date: null } }
    : { start: { date, dateTime: null, timeZone: null }, end: { date: addDays(date, 1), dateTime: null, timeZone: null } };
  return {
    summary: String(f['title'] ?? ''),
    description: f['notes'] ? String(f['notes']) : '',
    ...when,
    extendedProperties: { private: { saysoTaskId: item.id } },
  };
}

/** `2026-11-30T09:00:00+01:00` (an instant) or `2026-11-30T09:00:00` (wall time) as date and HH:MM in `zone`. */
function wallClock(dateTime: string, zone: string): [string, string] {
  if (!/(Z|[+-]\d\d:\d\d)$/i.test(dateTime)) return [dateTime.slice(0, 10), dateTime.slice(11, 16)];
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(dateTime))
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return [`${parts['year']}-${parts['month']}-${parts['day']}`, `${parts['hour']}:${parts['minute']}`];
}

function addMinutes(date: string, time: string, minutes: number): { dateTime: string } {
  const t = new Date(`${date}T${time}:00Z`);
  t.setUTCMinutes(t.getUTCMinutes() + minutes);
  return { dateTime: t.toISOString().slice(0, 19) };
}

function addDays(date: string, days: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}
