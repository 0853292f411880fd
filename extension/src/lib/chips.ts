import type { SaysoClient, TurnOutcome } from '@sayso/sdk';

/** One thing a turn did, as a chip under the transcript: what, and whether it can be undone or renamed. */
export interface Chip {
  kind: 'task' | 'event' | 'habit' | 'journal' | 'checkin';
  id: string;
  title: string;
  /** What was done to it: `create`, `complete`, `update`, `remove`. */
  verb: string;
  canUndo: boolean;
  /** Tasks and events can be renamed from the chip. */
  canEdit: boolean;
  /** The turn's outcome, which `client.turns.undo` takes back. */
  outcome: TurnOutcome;
}

/** The chip for a turn's outcome, or null when the turn wrote nothing (a question, small talk, a failure). */
export function chipFrom(outcome: TurnOutcome | { status: 'failed' }): Chip | null {
  if (outcome.status !== 'done' || !('item' in outcome) || !outcome.item) return null;
  const { item, action } = outcome;
  const verb = action.action;
  // What client.turns.undo can take back.
  const canUndo =
    item.kind === 'checkin' ? Boolean(item.habitId && item.day) : verb === 'create' || (verb === 'complete' && item.kind === 'task');
  return {
    kind: item.kind,
    id: item.id,
    title: item.title,
    verb,
    canUndo,
    canEdit: (item.kind === 'task' || item.kind === 'event') && verb !== 'remove',
    outcome,
  };
}

const LABEL: Record<string, string> = { create: 'Added', complete: 'Done', update: 'Changed', remove: 'Removed' };

/** "Added task", "Done task": the chip's first words. */
export function chipLabel(chip: Chip): string {
  return `${LABEL[chip.verb] ?? 'Did'} ${chip.kind === 'checkin' ? 'check-in' : chip.kind}`;
}

/** Renames the task or event a chip shows (reads its version first, so a stale one cannot overwrite a change). */
export async function renameChip(client: SaysoClient, chip: Chip, title: string): Promise<string> {
  if (!chip.canEdit) throw new Error(`"${chip.title}" cannot be renamed from here; change it in the side panel.`);
  const task = await client.tasks.get(chip.id);
  return (await client.tasks.update(chip.id, { version: task.version, title })).title;
}
