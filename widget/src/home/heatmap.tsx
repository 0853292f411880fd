import { addDays, weekdayOf } from './dates.js';

const WEEKS = 12;
const WEEKDAYS = ['Mon', '', 'Wed', '', 'Fri', '', 'Sun'];

/**
 * Check-ins of the last 12 weeks as a grid: a column per week (Monday at the top), today in the
 * last column. Darker means the day's value reached `target`.
 */
export function Heatmap(props: { days: ReadonlyArray<{ day: string; value: number }>; today: string; target: number; name: string }) {
  const values = new Map(props.days.map((d) => [d.day, d.value]));
  const start = addDays(props.today, -weekdayOf(props.today) - 7 * (WEEKS - 1));
  const checked = props.days.filter((d) => d.value > 0).length;
  const cells = [];
  for (let i = 0; i < WEEKS * 7; i++) {
    const day = addDays(start, i);
    const value = values.get(day) ?? 0;
    const future = day > props.today;
    const look = future
      ? 'bg-transparent'
      : value >= props.target
        ? 'bg-emerald-600'
        : value > 0
          ? 'bg-emerald-300'
          : 'bg-slate-200';
    cells.push(
      <span
        key={day}
        class={`size-3 rounded-[3px] ${look} ${day === props.today ? 'ring-1 ring-slate-500 ring-offset-1' : ''}`}
        title={future ? undefined : `${day}: ${value > 0 ? `checked in${value > 1 ? ` (${value})` : ''}` : 'no check-in'}`}
        data-day={day}
        data-filled={value > 0 ? 'true' : 'false'}
      />,
    );
  }
  return (
    <div class="flex gap-2">
      <div aria-hidden="true" class="grid grid-rows-7 gap-1 text-[10px] leading-3 text-slate-400">
        {WEEKDAYS.map((d, i) => (
          <span key={i}>{d}</span>
        ))}
      </div>
      <div
        role="img"
        aria-label={`${props.name}: checked in on ${checked} ${checked === 1 ? 'day' : 'days'} in the last ${WEEKS} weeks`}
        class="grid grid-flow-col grid-rows-7 gap-1"
        data-testid="heatmap"
      >
        {cells}
      </div>
    </div>
  );
}
