import type { HabitCadence } from '@sayso/protocol';

/** Days as YYYY-MM-DD; arithmetic in UTC so it is exact whatever the server's zone. */
export const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The Monday that starts the ISO week containing `day`. */
export const weekStart = (day: string) => {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
};

/**
 * Current and longest streak of periods (days or ISO weeks) whose summed check-in values reach
 * `target`. The current period not being met yet does not break the streak: it counts from
 * the previous period until the day is over.
 */
export function streaks(
  checkins: ReadonlyArray<{ day: string; value: number }>,
  cadence: HabitCadence,
  target: number,
  today: string,
): { current: number; longest: number } {
  const period = cadence === 'daily' ? (d: string) => d : weekStart;
  const step = cadence === 'daily' ? 1 : 7;
  const totals = new Map<string, number>();
  for (const c of checkins) totals.set(period(c.day), (totals.get(period(c.day)) ?? 0) + c.value);
  const met = new Set([...totals].filter(([, v]) => v >= target).map(([p]) => p));

  let longest = 0;
  for (const p of met) {
    if (met.has(addDays(p, -step))) continue; // not the start of a run
    let n = 0;
    while (met.has(addDays(p, n * step))) n++;
    longest = Math.max(longest, n);
  }

  let p = period(today);
  if (!met.has(p)) p = addDays(p, -step);
  let current = 0;
  while (met.has(p)) {
    current++;
    p = addDays(p, -step);
  }
  return { current, longest };
}
