import { randomBytes } from 'node:crypto';
import { apiError, type StandInReply } from './google-stand-in.js';

interface Tab {
  sheetId: number;
  title: string;
  grid: string[][];
}

interface Spreadsheet {
  id: string;
  title: string;
  /** Drive's file version: goes up on every change, as Drive's does. */
  version: number;
  modifiedTime: string;
  tabs: Tab[];
}

/** Sheets v4 values and Drive v3 file metadata, in memory (part of GoogleStandIn). */
export class SheetsStandIn {
  readonly files = new Map<string, Spreadsheet>();
  private nextSheetId = 100;

  /** A tab's cells as rows of strings (row 1 first), as a person sees them. */
  rows(spreadsheetId: string, tab: string): string[][] {
    return this.tab(this.file(spreadsheetId), tab).grid.map((r) => trimRow(r));
  }

  /** A person edits cells of the row whose first cell is `id`, by header name. */
  editRow(spreadsheetId: string, tabTitle: string, id: string, values: Record<string, string>): void {
    const tab = this.tab(this.file(spreadsheetId), tabTitle);
    const header = tab.grid[0] ?? [];
    const row = tab.grid.find((r) => r[0] === id);
    if (!row) throw new Error(`no row with id ${id} in ${tabTitle}`);
    for (const [name, value] of Object.entries(values)) {
      const col = header.findIndex((h) => h === name || h.startsWith(`${name} `));
      if (col < 0) throw new Error(`no column ${name}`);
      row[col] = value;
    }
    this.touch(this.file(spreadsheetId));
  }

  /** A person types a new row under the table. */
  appendRow(spreadsheetId: string, tabTitle: string, values: string[]): void {
    const tab = this.tab(this.file(spreadsheetId), tabTitle);
    tab.grid.splice(lastRow(tab.grid), 0, [...values]);
    this.touch(this.file(spreadsheetId));
  }

  /** A person deletes the row whose first cell is `id`. */
  deleteRow(spreadsheetId: string, tabTitle: string, id: string): void {
    const tab = this.tab(this.file(spreadsheetId), tabTitle);
    tab.grid = tab.grid.filter((r) => r[0] !== id);
    this.touch(this.file(spreadsheetId));
  }

  handle(method: string, path: string, query: URLSearchParams, body: unknown): StandInReply | undefined {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v4/spreadsheets') return this.create(body as CreateBody);
    if ((m = /^\/drive\/v3\/files\/([^/]+)$/.exec(path)) && method === 'GET') {
      const file = this.files.get(decodeURIComponent(m[1]!));
      if (!file) return { status: 404, body: apiError(404, 'File not found.', 'notFound') };
      return { status: 200, body: { id: file.id, name: file.title, version: String(file.version), modifiedTime: file.modifiedTime } };
    }
    if (!(m = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(path))) return undefined;
    const file = this.files.get(decodeURIComponent(m[1]!));
    if (!file) return { status: 404, body: apiError(404, 'Requested entity was not found.', 'notFound') };
    const rest = decodeURIComponent(m[2]!);
    if (method === 'GET' && rest === '') {
      return { status: 200, body: { spreadsheetId: file.id, properties: { title: file.title }, sheets: file.tabs.map((t, index) => ({ properties: { sheetId: t.sheetId, title: t.title, index } })) } };
    }
    if (method === 'POST' && rest === ':batchUpdate') return this.batchUpdate(file, body as BatchBody);
    if (method === 'GET' && rest === '/values:batchGet') {
      return { status: 200, body: { spreadsheetId: file.id, valueRanges: query.getAll('ranges').map((r) => this.read(file, r)) } };
    }
    if (method === 'POST' && rest === '/values:batchUpdate') {
      const data = (body as { data: Array<{ range: string; values: unknown[][] }> }).data;
      for (const d of data) this.write(file, d.range, d.values);
      this.touch(file);
      return { status: 200, body: { spreadsheetId: file.id, totalUpdatedRows: data.length } };
    }
    if ((m = /^\/values\/(.+):append$/.exec(rest)) && method === 'POST') {
      const { tab } = this.range(file, m[1]!);
      const start = lastRow(tab.grid) + 1;
      this.write(file, `${tab.title}!A${start}`, (body as { values: unknown[][] }).values);
      this.touch(file);
      return { status: 200, body: { spreadsheetId: file.id, updates: { updatedRange: `${tab.title}!A${start}` } } };
    }
    if ((m = /^\/values\/(.+)$/.exec(rest)) && method === 'GET') return { status: 200, body: this.read(file, m[1]!) };
    return undefined;
  }

  private create(body: CreateBody): StandInReply {
    const id = randomBytes(16).toString('base64url');
    const tabs = (body.sheets ?? [{ properties: { title: 'Sheet1' } }]).map((s) => ({ sheetId: this.nextSheetId++, title: s.properties?.title ?? 'Sheet1', grid: [] }));
    const file: Spreadsheet = { id, title: body.properties?.title ?? 'Untitled spreadsheet', version: 1, modifiedTime: new Date().toISOString(), tabs };
    this.files.set(id, file);
    return { status: 200, body: { spreadsheetId: id, properties: { title: file.title }, sheets: tabs.map((t) => ({ properties: { sheetId: t.sheetId, title: t.title } })) } };
  }

  private batchUpdate(file: Spreadsheet, body: BatchBody): StandInReply {
    const replies: unknown[] = [];
    for (const r of body.requests) {
      if (r.addSheet) {
        const tab = { sheetId: this.nextSheetId++, title: r.addSheet.properties.title, grid: [] };
        file.tabs.push(tab);
        replies.push({ addSheet: { properties: { sheetId: tab.sheetId, title: tab.title } } });
      } else if (r.deleteDimension) {
        const { sheetId, startIndex, endIndex } = r.deleteDimension.range;
        const tab = file.tabs.find((t) => t.sheetId === sheetId);
        if (!tab) return { status: 400, body: apiError(400, `No grid with id: ${sheetId}`, 'badRequest') };
        tab.grid.splice(startIndex, endIndex - startIndex);
        replies.push({});
      } else {
        return { status: 400, body: apiError(400, 'The stand-in supports addSheet and deleteDimension only.', 'badRequest') };
      }
    }
    this.touch(file);
    return { status: 200, body: { spreadsheetId: file.id, replies } };
  }

  private read(file: Spreadsheet, a1: string) {
    const { tab, startRow, startCol, endRow, endCol } = this.range(file, a1);
    const last = Math.min(endRow ?? Infinity, lastRow(tab.grid));
    const values: string[][] = [];
    for (let r = startRow; r <= last; r++) values.push((tab.grid[r - 1] ?? []).slice(startCol, endCol === undefined ? undefined : endCol + 1));
    const trimmed = values.map(trimRow);
    return { range: a1, majorDimension: 'ROWS', ...(trimmed.length ? { values: trimmed } : {}) };
  }

  private write(file: Spreadsheet, a1: string, values: unknown[][]): void {
    const { tab, startRow, startCol } = this.range(file, a1);
    values.forEach((row, i) => {
      const r = startRow - 1 + i;
      while (tab.grid.length <= r) tab.grid.push([]);
      const cells = tab.grid[r]!;
      row.forEach((v, j) => {
        while (cells.length <= startCol + j) cells.push('');
        cells[startCol + j] = v === null || v === undefined ? '' : String(v);
      });
    });
  }

  private range(file: Spreadsheet, a1: string) {
    const m = /^(?:'((?:[^']|'')+)'|([^!]+))(?:!([A-Z]+)?(\d+)?(?::([A-Z]+)?(\d+)?)?)?$/.exec(a1);
    if (!m) throw new Error(`Unable to parse range: ${a1}`);
    const tab = this.tab(file, (m[1] ?? m[2]!).replace(/''/g, "'"));
    return {
      tab,
      startCol: m[3] ? colIndex(m[3]) : 0,
      startRow: m[4] ? Number(m[4]) : 1,
      endCol: m[5] ? colIndex(m[5]) : undefined,
      endRow: m[6] ? Number(m[6]) : undefined,
    };
  }

  private file(id: string): Spreadsheet {
    const file = this.files.get(id);
    if (!file) throw new Error(`no spreadsheet ${id}`);
    return file;
  }

  private tab(file: Spreadsheet, title: string): Tab {
    const tab = file.tabs.find((t) => t.title === title);
    if (!tab) throw new Error(`Unable to parse range: ${title}`);
    return tab;
  }

  private touch(file: Spreadsheet): void {
    file.version += 1;
    file.modifiedTime = new Date().toISOString();
  }
}

type CreateBody = { properties?: { title?: string }; sheets?: Array<{ properties?: { title?: string } }> };
type BatchBody = {
  requests: Array<{
    addSheet?: { properties: { title: string } };
    deleteDimension?: { range: { sheetId: number; dimension: 'ROWS'; startIndex: number; endIndex: number } };
  }>;
};

const colIndex = (letters: string) => [...letters].reduce((n, c) => n * 26 + (c.charCodeAt(0) - 64), 0) - 1;
const trimRow = (row: string[]) => {
  const out = [...row];
  while (out.length && (out.at(-1) ?? '') === '') out.pop();
  return out;
};
/** 1-based number of the last row with any value (0 when empty). */
const lastRow = (grid: string[][]) => {
  for (let i = grid.length - 1; i >= 0; i--) if (grid[i]!.some((c) => c !== '')) return i + 1;
  return 0;
};
