import { useState } from 'preact/hooks';
import type { Chip, WidgetController } from '../controller.js';
import { Icon } from './icons.js';

const KIND: Record<Chip['item']['kind'], string> = { task: 'Task', event: 'Event', habit: 'Habit', journal: 'Journal', checkin: 'Check-in' };
const EDITABLE = new Set<Chip['item']['kind']>(['task', 'journal', 'habit']);

/** What Sayso did, newest first; each can be undone, and tasks, journal entries and habits renamed. */
export function Chips({ chips, controller }: { chips: Chip[]; controller: WidgetController }) {
  if (!chips.length) return null;
  return (
    <ul aria-label="What Sayso did" class="flex flex-col gap-1.5 px-3 pb-2">
      {chips.map((chip) => <ChipRow key={chip.turnId} chip={chip} controller={controller} />)}
    </ul>
  );
}

function ChipRow({ chip, controller }: { chip: Chip; controller: WidgetController }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(chip.item.title);
  const undone = chip.status === 'undone';
  const save = () => {
    setEditing(false);
    void controller.edit(chip.turnId, draft);
  };
  return (
    <li data-chip={chip.item.kind} data-status={chip.status} class={`flex items-center gap-2 rounded-full border border-(--sw-line) bg-(--sw-soft) py-1 pr-1 pl-3 ${undone ? 'opacity-60' : ''}`}>
      <span class="shrink-0 text-[11px] font-semibold tracking-wide text-(--sayso-accent) uppercase">{KIND[chip.item.kind]}</span>
      {editing ? (
        <input
          aria-label={`New ${KIND[chip.item.kind].toLowerCase()} title`}
          value={draft}
          onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') save();
            if (e.key === 'Escape') {
              e.preventDefault(); // the panel stays open
              setEditing(false);
            }
          }}
          ref={(el) => el?.focus()}
          class="min-w-0 flex-1 rounded border border-(--sw-line) bg-(--sw-bg) px-1.5"
        />
      ) : (
        <span data-chip-title class={`min-w-0 flex-1 truncate ${undone ? 'line-through' : ''}`} title={chip.item.title}>{chip.item.title}</span>
      )}
      {undone ? (
        <span class="px-2 text-xs text-(--sw-muted)">Undone</span>
      ) : (
        <>
          {EDITABLE.has(chip.item.kind) && !editing && (
            <ChipButton label={`Edit ${chip.item.title}`} icon="edit" disabled={chip.status === 'busy'} onClick={() => (setDraft(chip.item.title), setEditing(true))} />
          )}
          <ChipButton label={`Undo ${chip.item.title}`} icon="undo" disabled={chip.status === 'busy'} onClick={() => void controller.undo(chip.turnId)} />
        </>
      )}
    </li>
  );
}

function ChipButton({ label, icon, disabled, onClick }: { label: string; icon: 'edit' | 'undo'; disabled: boolean; onClick(): void }) {
  return (
    <button aria-label={label} data-action={icon} disabled={disabled} onClick={onClick} class="shrink-0 rounded-full p-1.5 text-(--sw-muted) hover:bg-(--sw-bg) hover:text-(--sw-fg) disabled:opacity-50">
      <Icon name={icon} class="size-3.5" />
    </button>
  );
}
