import type { Task } from '@sayso/sdk';
import { useCallback, useEffect, useState } from 'react';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { CALENDAR_MATCH, calendarCommand, dayInView, namesADay, shortDay } from '../lib/google-pages';
import type { GoogleStatus } from '../lib/google-links';
import { api, ask, type VoiceEvent } from '../lib/messages';
import { CommandBox } from '../ui/command-box';
import { VoiceCard } from '../ui/voice-card';
import { useVoiceView, VoiceStore } from '../ui/voice-store';
import { mountInShadowRoot } from '../ui/mount';
import '../ui/styles.css';

/** Sayso's calendar events live on this list (the gateway's CALENDAR_LIST). */
const CALENDAR_LIST = 'calendar';

// An overlay on Google Calendar: say or type an event ("lunch with Sam at 1") and it goes into
// the day in view, unless another day is named; what was created is listed, with Undo.
export default defineContentScript({
  matches: [CALENDAR_MATCH],
  cssInjectionMode: 'ui',
  runAt: 'document_idle',
  async main(ctx) {
    const store = new VoiceStore();
    // A spoken event that named no day lands on the day Sayso thinks of (today or the next
    // such time); the person meant the day on screen, so move it there.
    store.onResult((e) => void moveToDayInView(store, e));
    await mountInShadowRoot(ctx, 'sayso-calendar', <CalendarOverlay store={store} ctx={ctx} />);
  },
});

async function moveToDayInView(store: VoiceStore, e: Extract<VoiceEvent, { name: 'result' }>): Promise<void> {
  const outcome = e.outcome;
  if (!e.chip || e.chip.kind !== 'event' || e.chip.verb !== 'create' || !('action' in outcome)) return;
  const day = dayInView(location.href);
  const action = outcome.action;
  if (action.kind !== 'event' || action.action !== 'create' || action.date === day || namesADay(e.text)) return;
  try {
    const task = await api('tasks.get', e.chip.id);
    await api('tasks.update', e.chip.id, { version: task.version, dueDate: day });
    store.setChip(e.chip.id, { note: `Put on ${shortDay(day)}, the day in view` });
  } catch (err) {
    store.setChip(e.chip.id, { error: `Created, but not moved to ${shortDay(day)}: ${(err as Error).message}` });
  }
}

function useDayInView(ctx: ContentScriptContext): string {
  const [day, setDay] = useState(() => dayInView(location.href));
  useEffect(() => {
    // Calendar is a single-page app: WXT reports its URL changes.
    ctx.addEventListener(window, 'wxt:locationchange', () => setDay(dayInView(location.href)));
  }, [ctx]);
  return day;
}

function CalendarOverlay({ store, ctx }: { store: VoiceStore; ctx: ContentScriptContext }) {
  const day = useDayInView(ctx);
  const view = useVoiceView(store);
  const [open, setOpen] = useState(true);
  const [events, setEvents] = useState<Task[]>([]);
  const [error, setError] = useState('');
  const [sync, setSync] = useState('');

  useEffect(() => {
    ask<GoogleStatus>({ type: 'google:status' }).then(
      (s) =>
        setSync(
          !s.configured ? 'Google sync is off on this gateway: events stay in Sayso.'
          : s.calendar ? `Syncs with Google Calendar${s.calendar.state === 'ok' ? '' : ` (${s.calendar.state})`}: events appear here after the next pass.`
          : 'This calendar is not linked to Sayso: events stay in Sayso until you link it.',
        ),
      () => setSync(''),
    );
  }, []);

  const refresh = useCallback(async () => {
    try {
      const page = await api('tasks.list', { list: CALENDAR_LIST, status: 'open', dueFrom: day, dueTo: day, limit: 50 });
      setEvents([...page.items].sort((a, b) => (a.dueTime ?? '').localeCompare(b.dueTime ?? '')));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [day]);
  // Reload when the day changes and whenever a chip changes (created, moved, undone).
  const chipSignature = view.chips.map((c) => `${c.chip.id}:${c.status}:${c.note ?? ''}`).join(',');
  useEffect(() => void refresh(), [refresh, chipSignature]);

  if (!open) {
    return (
      <button type="button" className="fixed bottom-5 left-5 z-[2147483646] rounded-full bg-slate-900 px-4 py-2 font-sans text-sm font-semibold text-white shadow-lg" onClick={() => setOpen(true)}>
        Sayso quick add
      </button>
    );
  }
  return (
    <aside
      data-sayso-calendar
      data-day={day}
      className="fixed bottom-5 left-5 z-[2147483646] flex w-[340px] flex-col gap-3 rounded-2xl bg-slate-900/95 p-4 font-sans text-white shadow-2xl ring-1 ring-white/10"
    >
      <header className="flex items-center gap-2">
        <h2 className="text-sm font-bold text-brand-400">Sayso</h2>
        <span data-day-label className="text-xs text-white/70">Quick add to {shortDay(day)}</span>
        <span className="flex-1" />
        <button type="button" title="Hide" className="rounded px-1.5 text-white/60 hover:bg-white/10" onClick={() => setOpen(false)}>
          ×
        </button>
      </header>
      {sync && <p data-calendar-sync className="text-[11px] text-white/50">{sync}</p>}
      <CommandBox store={store} placeholder="“lunch with Sam at 1pm”" rewrite={(t) => calendarCommand(t, day)} />
      <VoiceCard store={store} hint={`Say an event; it goes on ${shortDay(day)} unless you name another day.`} />
      {error && <p role="alert" className="text-xs text-rose-300">{error}</p>}
      <section className="flex flex-col gap-1">
        <h3 className="text-xs font-semibold tracking-wide text-white/60 uppercase">Sayso events on {shortDay(day)}</h3>
        {events.length === 0 ? (
          <p className="text-xs text-white/50">None yet.</p>
        ) : (
          <ul data-day-events className="flex flex-col gap-1">
            {events.map((t) => (
              <li key={t.id} data-event-id={t.id} className="flex items-center gap-2 rounded-lg bg-white/5 px-2 py-1 text-sm">
                <span className="w-11 text-xs text-white/60">{t.dueTime ?? 'all day'}</span>
                <span data-event-title className="flex-1 truncate">{t.title}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}
