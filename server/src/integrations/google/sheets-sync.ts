import { drive as driveApi } from '@googleapis/drive';
import { sheets as sheetsApi, type sheets_v4 } from '@googleapis/sheets';
import type { OAuth2Client } from 'google-auth-library';
import { statusOf, withBackoff, type BackoffOptions } from './backoff.js';
import type { GoogleEndpoints } from './endpoints.js';
import type { SyncItem, SyncLink, SyncLinks } from './links.js';
import { decide, sameFields, type Fields } from './merge.js';
import { Pass, type PassResult } from './pass.js';
import type { LocalItem, SaysoSide } from './sayso-side.js';
import { rowRange, SHEET_TABLES, tableRange, type SheetTable } from './sheet-tables.js';

export interface SheetsSyncDeps {
  side: SaysoSide;
  links: SyncLinks;
  endpoints: GoogleEndpoints;
  backoff: BackoffOptions;
}

/** What one pass writes to the sheet, sent together at the end (one batch per kind of write). */
interface SheetWrites {
  cells: sheets_v4.Schema$ValueRange[];
  appends: Map<SheetTable, string[][]>;
  deletes: Array<{ sheetId: number; row: number }>;
  /** Bases to store once the writes went through. */
  bases: Array<() => Promise<void>>;
}

/**
 * Two-way sync of tasks and habits with a spreadsheet (tabs Tasks and Habits). A pass first
 * asks Drive for the file version (a cheap "did anything change?"), then reads both tabs in one
 * call, merges row by row against the values last synced, applies Google's side through Sayso's
 * services, and writes Sayso's side back in at most three calls (values.batchUpdate, append,
 * batchUpdate for deleted rows).
 */
export class SheetsSync {
  constructor(private readonly deps: SheetsSyncDeps) {}

  private api(auth: OAuth2Client) {
    return {
      sheets: sheetsApi({ version: 'v4', auth, rootUrl: this.deps.endpoints.sheetsRoot, retry: false }),
      drive: driveApi({ version: 'v3', auth, rootUrl: this.deps.endpoints.apisRoot, retry: false }),
    };
  }

  private call<T>(f: () => Promise<T>): Promise<T> {
    return withBackoff(f, this.deps.backoff);
  }

  /** Creates a spreadsheet (none given) or checks access to one; makes sure both tabs exist. Returns its id. */
  async prepare(auth: OAuth2Client, spreadsheetId: string | undefined): Promise<string> {
    const { sheets } = this.api(auth);
    if (!spreadsheetId) {
      const created = await this.call(() =>
        sheets.spreadsheets.create({ requestBody: { properties: { title: 'Sayso' }, sheets: SHEET_TABLES.map((t) => ({ properties: { title: t.tab } })) } }),
      );
      return created.data.spreadsheetId!;
    }
    await this.tabs(auth, spreadsheetId);
    return spreadsheetId;
  }

  async pass(link: SyncLink, auth: OAuth2Client): Promise<PassResult> {
    const { sheets, drive } = this.api(auth);
    const id = link.externalId;
    const pass = new Pass(link, this.deps.side, this.deps.links);
    // With drive.file, Drive answers only for sheets Sayso created or the person opened with it:
    // for others the version is unknown and every pass reads the values.
    const version = await this.call(() => drive.files.get({ fileId: id, fields: 'version' })).then(
      (r) => r.data.version ?? null,
      (err: unknown) => {
        if (statusOf(err) === 403 || statusOf(err) === 404) return null;
        throw err;
      },
    );
    if (link.dirtySeq <= link.cleanSeq && version !== null && version === link.fileVersion) return pass.finish({});

    const tabs = await this.tabs(auth, id);
    const read = await this.call(() => sheets.spreadsheets.values.batchGet({ spreadsheetId: id, ranges: SHEET_TABLES.map(tableRange) }));
    const items = await this.deps.links.items(link.id);
    const writes: SheetWrites = { cells: [], appends: new Map(), deletes: [], bases: [] };
    for (const [i, table] of SHEET_TABLES.entries()) {
      const rows = (read.data.valueRanges?.[i]?.values ?? []) as string[][];
      await this.reconcile(pass, table, tabs.get(table.tab)!, rows, items.filter((it) => it.entityType === table.type), writes);
    }

    if (writes.cells.length) {
      await this.call(() => sheets.spreadsheets.values.batchUpdate({ spreadsheetId: id, requestBody: { valueInputOption: 'RAW', data: writes.cells } }));
    }
    for (const [table, values] of writes.appends) {
      await this.call(() =>
        sheets.spreadsheets.values.append({ spreadsheetId: id, range: tableRange(table), valueInputOption: 'RAW', insertDataOption: 'INSERT_ROWS', requestBody: { values } }),
      );
    }
    if (writes.deletes.length) {
      // Bottom row first, so the row numbers read at the start still point at the right rows.
      const requests = writes.deletes
        .sort((a, b) => b.row - a.row)
        .map((d) => ({ deleteDimension: { range: { sheetId: d.sheetId, dimension: 'ROWS', startIndex: d.row - 1, endIndex: d.row } } }));
      await this.call(() => sheets.spreadsheets.batchUpdate({ spreadsheetId: id, requestBody: { requests } }));
    }
    for (const save of writes.bases) await save();
    return pass.finish({ fileVersion: version });
  }

  private async reconcile(pass: Pass, table: SheetTable, sheetId: number, rows: string[][], bases: SyncItem[], w: SheetWrites): Promise<void> {
    const { link } = pass;
    const type = table.type;
    if (!sameRow(rows[0] ?? [], table.header)) w.cells.push({ range: rowRange(table, 1), values: [table.header] });
    const remote = new Map<string, { row: number; fields: Fields }>();
    const fresh: Array<{ row: number; fields: Fields }> = [];
    rows.forEach((cells, i) => {
      if (i === 0 || cells.every((c) => String(c ?? '').trim() === '')) return;
      const rowId = String(cells[0] ?? '').trim();
      const entry = { row: i + 1, fields: table.parse(cells.slice(1).map(String)) };
      // A row without an id, or a copy of a row already seen, is a new item.
      if (rowId && !remote.has(rowId)) remote.set(rowId, entry);
      else fresh.push(entry);
    });
    const locals = new Map((await this.deps.side.list(link.userId, link.id, type)).map((l) => [l.id, l]));
    const baseById = new Map(bases.map((b) => [b.entityId, b]));
    const write = (row: number, item: LocalItem) => w.cells.push({ range: rowRange(table, row), values: [table.toRow(item.id, item.fields)] });
    const keep = (item: LocalItem) => w.bases.push(() => pass.saveBase(type, item, item.id, item.fields));
    const drop = (entityId: string) => w.bases.push(() => this.deps.links.dropItem(link.id, type, entityId));

    for (const id of new Set([...locals.keys(), ...baseById.keys(), ...remote.keys()])) {
      const base = baseById.get(id);
      const local = locals.get(id);
      const r = remote.get(id);
      if (!base && r && (!local || local.deleted)) {
        // An id Sayso does not know here (typed in, or pasted from elsewhere): a new item.
        fresh.push(r);
        continue;
      }
      const d = decide(base?.fields, local && !local.deleted ? { fields: local.fields } : 'deleted', r ? { fields: r.fields } : base ? 'deleted' : undefined, table.fields);
      switch (d.kind) {
        case 'none':
          if (base && local && !local.deleted && base.syncedVersion !== local.version) keep(local);
          break;
        case 'push':
          if (d.conflicts.length || d.note) pass.conflict(type, id, id, d.conflicts, d.note);
          if (r) write(r.row, local!);
          else w.appends.set(table, [...(w.appends.get(table) ?? []), table.toRow(id, local!.fields)]);
          pass.pushedOne(type, id, id);
          keep(local!);
          break;
        case 'push-delete':
          if (d.conflicts.length || d.note) pass.conflict(type, id, id, d.conflicts, d.note);
          if (r) w.deletes.push({ sheetId, row: r.row });
          pass.pushedOne(type, id, id);
          drop(id);
          break;
        case 'pull': {
          const item = await pass.pull(type, d, local, id);
          if (!item) break;
          if (!sameFields(item.fields, r!.fields, table.fields)) write(r!.row, item);
          keep(item);
          break;
        }
        case 'pull-delete': {
          await pass.pull(type, d, local, id);
          if (!pass.again) drop(id);
          break;
        }
        case 'pull-create':
        case 'forget':
          drop(id);
          break;
      }
    }
    for (const f of fresh) {
      const item = await pass.pull(type, { kind: 'pull-create', fields: f.fields }, undefined, null);
      if (!item) continue;
      // The new item's id goes into the row, so the next pass matches it.
      write(f.row, item);
      keep(item);
    }
  }

  /** The spreadsheet's tabs by title; adds Tasks or Habits when missing. */
  private async tabs(auth: OAuth2Client, spreadsheetId: string): Promise<Map<string, number>> {
    const { sheets } = this.api(auth);
    const meta = await this.call(() => sheets.spreadsheets.get({ spreadsheetId, fields: 'sheets.properties(sheetId,title)' }));
    const tabs = new Map((meta.data.sheets ?? []).map((s) => [s.properties?.title ?? '', s.properties?.sheetId ?? 0]));
    const missing = SHEET_TABLES.filter((t) => !tabs.has(t.tab));
    if (missing.length) {
      const res = await this.call(() =>
        sheets.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests: missing.map((t) => ({ addSheet: { properties: { title: t.tab } } })) } }),
      );
      for (const reply of res.data.replies ?? []) tabs.set(reply.addSheet?.properties?.title ?? '', reply.addSheet?.properties?.sheetId ?? 0);
    }
    return tabs;
  }
}

const sameRow = (a: unknown[], b: string[]) => b.every((v, i) => String(a[i] ?? '') === v);
