import type { Fields } from './merge.js';
import { HABIT_FIELDS, TASK_FIELDS, type EntityType } from './sayso-side.js';

/**
 * How tasks and habits look as sheet rows: a readable header, the item id in column A (how a row
 * is matched to its item, wherever it moves), then one column per mirrored field.
 */
export interface SheetTable {
  type: EntityType;
  tab: string;
  header: string[];
  fields: readonly string[];
  toRow(id: string, f: Fields): string[];
  /** A row's cells (after the id) as fields; blanks become the defaults Sayso would use. */
  parse(cells: string[]): Fields;
}

const cell = (v: string | undefined) => (v ?? '').trim();
const orNull = (v: string) => (v === '' ? null : v);
const DONE = new Set(['done', 'x', 'yes', 'true', '✓', '✔']);

export const TASKS_TABLE: SheetTable = {
  type: 'task',
  tab: 'Tasks',
  header: ['ID (do not edit)', 'Title', 'Status', 'Due date', 'Due time', 'List', 'Priority', 'Notes'],
  fields: TASK_FIELDS,
  toRow: (id, f) => [id, String(f['title'] ?? ''), String(f['status'] ?? 'open'), String(f['dueDate'] ?? ''), String(f['dueTime'] ?? ''), String(f['list'] ?? 'inbox'), String(f['priority'] ?? 'none'), String(f['notes'] ?? '')],
  parse: (c) => {
    const status = cell(c[1]).toLowerCase();
    const time = cell(c[3]);
    return {
      title: cell(c[0]),
      status: status === '' || status === 'open' ? 'open' : DONE.has(status) ? 'done' : status,
      dueDate: orNull(cell(c[2])),
      // 9:30 is 09:30.
      dueTime: orNull(/^\d:\d\d$/.test(time) ? `0${time}` : time),
      list: cell(c[4]) || 'inbox',
      priority: cell(c[5]).toLowerCase() || 'none',
      notes: orNull(cell(c[6])),
    };
  },
};

export const HABITS_TABLE: SheetTable = {
  type: 'habit',
  tab: 'Habits',
  header: ['ID (do not edit)', 'Name', 'Cadence', 'Target'],
  fields: HABIT_FIELDS,
  toRow: (id, f) => [id, String(f['name'] ?? ''), String(f['cadence'] ?? 'daily'), String(f['target'] ?? 1)],
  parse: (c) => {
    const target = cell(c[2]);
    return {
      name: cell(c[0]),
      cadence: cell(c[1]).toLowerCase() || 'daily',
      target: target === '' ? 1 : /^\d+$/.test(target) ? Number(target) : target,
    };
  },
};

export const SHEET_TABLES = [TASKS_TABLE, HABITS_TABLE] as const;

/** `Tasks!A1:H`: the whole table of a tab. */
export const tableRange = (t: SheetTable) => `${t.tab}!A1:${String.fromCharCode(64 + t.header.length)}`;
export const rowRange = (t: SheetTable, row: number) => `${t.tab}!A${row}:${String.fromCharCode(64 + t.header.length)}${row}`;
