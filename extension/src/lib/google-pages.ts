// What Sayso reads from Google's own pages: which spreadsheet is open, which day the calendar
// shows. Only the URL and the title: Google's DOM changes too often to depend on.

/** Where the Sheets sidebar and the Calendar overlay run. */
export const SHEETS_MATCH = 'https://docs.google.com/spreadsheets/*';
export const CALENDAR_MATCH = 'https://calendar.google.com/*';

/** The spreadsheet id and name of a docs.google.com/spreadsheets/d/<id>/... page. */
export function spreadsheetOf(url: string, title: string): { id: string | null; name: string } {
  const id = /\/spreadsheets\/d\/([\w-]+)/.exec(new URL(url).pathname)?.[1] ?? null;
  return { id, name: title.replace(/\s+-\s+Google (?:Sheets|Spreadsheets)$/i, '').trim() || 'Untitled spreadsheet' };
}

/** `YYYY-MM-DD` of a local date. */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The day Google Calendar shows: `/r/day/2026/12/3`, `/r/week/2026/12/3` (the day the week was
 * opened on), `/r/month/...`; today when the URL names none (`/r`, `/r/day`).
 */
export function dayInView(url: string, today = new Date()): string {
  const m = /\/r\/(?:day|week|month|customday|customweek|agenda|schedule|4day)\/(\d{4})\/(\d{1,2})\/(\d{1,2})/.exec(new URL(url).pathname);
  if (!m) return isoDate(today);
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/** "Thursday, December 3, 2026": how the day is written into a typed quick-add. */
export function spokenDay(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
}

/** "Thu 3 Dec": short, for chips and headings. */
export function shortDay(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
}

const DAY_WORDS =
  /\b(?:today|tonight|tomorrow|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|next week|this week|in \w+ days?|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|\d{1,2}(?:st|nd|rd|th)|\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2})\b/i;

/** Whether words name a day ("tomorrow", "on Friday", "December 3"); times alone do not. */
export function namesADay(text: string): boolean {
  return DAY_WORDS.test(text);
}

/** A typed quick-add as Sayso should read it: an event, on the day in view unless a day is named. */
export function calendarCommand(text: string, day: string): string {
  const t = text.trim();
  const asEvent = /^(?:schedule|book|add|put|create|new)\b/i.test(t) ? t : `schedule ${t}`;
  return namesADay(t) ? asEvent : `${asEvent} on ${spokenDay(day)}`;
}

/**
 * A typed Sheets command as Sayso should read it: "add a row for milk" is "add milk" (to the
 * sheet's list when it is linked to one); anything else is passed as typed.
 */
export function sheetsCommand(text: string, list?: string): string {
  const row = /^(?:add|insert|append|put)(?: a| an| another)?(?: new)? row (?:for|with|saying|:)?\s*(.+)$/i.exec(text.trim());
  if (!row) return text.trim();
  return list ? `add ${row[1]} to my ${list} list` : `add ${row[1]}`;
}
