import { isoDate } from '../../lib/google-pages';

/**
 * The last `weeks` weeks of check-ins as a GitHub-style grid: one column a week (Monday on
 * top), one cell a day, darker for more.
 */
export function Heatmap({ days, weeks = 12, today = new Date() }: { days: Array<{ day: string; value: number }>; weeks?: number; today?: Date }) {
  const values = new Map(days.map((d) => [d.day, d.value]));
  const max = Math.max(1, ...days.map((d) => d.value));
  // Start on the Monday `weeks - 1` weeks before this week's Monday.
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  start.setDate(start.getDate() - ((start.getDay() + 6) % 7) - (weeks - 1) * 7);
  const columns: Array<Array<{ day: string; value: number; future: boolean }>> = [];
  for (let w = 0; w < weeks; w++) {
    const col = [];
    for (let d = 0; d < 7; d++) {
      const date = new Date(start.getFullYear(), start.getMonth(), start.getDate() + w * 7 + d);
      const day = isoDate(date);
      col.push({ day, value: values.get(day) ?? 0, future: date > today });
    }
    columns.push(col);
  }
  return (
    <div data-heatmap className="flex gap-[3px]" role="img" aria-label={`${days.filter((d) => d.value > 0).length} check-ins in ${weeks} weeks`}>
      {columns.map((col, i) => (
        <div key={i} className="flex flex-col gap-[3px]">
          {col.map((c) => (
            <span
              key={c.day}
              title={`${c.day}: ${c.value}`}
              data-day={c.day}
              data-value={c.value}
              className={`h-[11px] w-[11px] rounded-[3px] ${c.future ? 'bg-transparent' : c.value === 0 ? 'bg-slate-200' : ''}`}
              style={c.value > 0 ? { backgroundColor: `oklch(${0.8 - 0.3 * (c.value / max)} 0.17 150)` } : undefined}
            />
          ))}
        </div>
      ))}
    </div>
  );
}
