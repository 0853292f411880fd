import { useState } from 'react';
import { chipLabel } from '../lib/chips';
import { ask } from '../lib/messages';
import type { ChipEntry, VoiceStore } from './voice-store';

/** One action a turn took, with Undo and (for tasks and events) an inline rename. */
export function ChipRow({ entry, store }: { entry: ChipEntry; store: VoiceStore }) {
  const { chip, status } = entry;
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(chip.title);

  async function undo() {
    store.setChip(chip.id, { status: 'busy' });
    try {
      await ask({ type: 'chip:undo', chip });
      store.setChip(chip.id, { status: 'undone' });
    } catch (err) {
      store.setChip(chip.id, { status: 'shown', error: (err as Error).message });
    }
  }

  async function rename() {
    setEditing(false);
    if (!title.trim() || title === chip.title) return;
    store.setChip(chip.id, { status: 'busy' });
    try {
      const renamed = await ask<string>({ type: 'chip:rename', chip, title: title.trim() });
      store.setChip(chip.id, { status: 'renamed', chip: { ...chip, title: renamed } });
    } catch (err) {
      store.setChip(chip.id, { status: 'shown', error: (err as Error).message });
    }
  }

  const undone = status === 'undone';
  return (
    <li data-chip={chip.kind} data-status={status} className="flex flex-col gap-1 rounded-xl bg-white/10 px-3 py-2 text-sm shadow-sm ring-1 ring-white/15">
      <div className="flex items-center gap-2">
        <span className="shrink-0 rounded-full bg-brand-500/80 px-2 py-0.5 text-[11px] font-semibold uppercase tracking-wide text-white">
          {undone ? 'Undone' : chipLabel(chip)}
        </span>
        <span className="flex-1" />
        {!undone && chip.canEdit && !editing && (
          <button type="button" className="rounded px-1.5 py-0.5 text-xs text-white/80 hover:bg-white/15" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {!undone && chip.canUndo && (
          <button
            type="button"
            data-action="undo"
            disabled={status === 'busy'}
            className="rounded bg-white/15 px-2 py-0.5 text-xs font-medium hover:bg-white/25 disabled:opacity-50"
            onClick={() => void undo()}
          >
            Undo
          </button>
        )}
      </div>
      {editing ? (
        <input
          autoFocus
          aria-label="New title"
          className="rounded bg-white/90 px-1.5 py-0.5 text-slate-900 outline-none"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          onKeyDown={(e) => {
            e.stopPropagation(); // the page's shortcuts must not see typing in the chip
            if (e.key === 'Enter') void rename();
            if (e.key === 'Escape') setEditing(false);
          }}
          onBlur={() => void rename()}
        />
      ) : (
        <span data-chip-title className={`break-words ${undone ? 'line-through opacity-60' : ''}`}>{chip.title}</span>
      )}
      {entry.note && <p data-chip-note className="text-xs text-white/60">{entry.note}</p>}
      {entry.error && <p className="text-xs text-rose-300">{entry.error}</p>}
    </li>
  );
}
