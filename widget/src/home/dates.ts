// Calendar days are `YYYY-MM-DD` in the person's time zone, as the gateway stores them.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Today's date in `zone` (an IANA name), e.g. `2026-11-28`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  let f = formatters.get(zone);
  if (!f) {
    // en-CA writes dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, f);
  }
  return f.format(now);
}

/** The browser's time zone, e.g. `Europe/Berlin`. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Day arithmetic on `YYYY-MM-DD` strings (no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** 0 = Monday ... 6 = Sunday. */
export function weekdayOf(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const longDayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** `Today`, `Tomorrow`, `Yesterday` or e.g. `Tue, 3 Dec`. */
export function describeDay(day: string, today: string): string {
  if (day === today) return 'Today';
  if (day === addDays(today, 1)) return 'Tomorrow';
  if (day === addDays(today, -1)) return 'Yesterday';
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}

/** e.g. `Tuesday, 3 December 2026`. */
export function longDay(day: string): string {
  return longDayFormat.format(new Date(`${day}T00:00:00Z`));
}
