import { describe, expect, it } from 'vitest';
import type { TurnOutcome } from '@sayso/sdk';
import { chipFrom } from '../src/lib/chips.js';
import { sheetLinkOf, type GoogleStatus } from '../src/lib/google-links.js';
import { calendarCommand, dayInView, namesADay, sheetsCommand, spreadsheetOf } from '../src/lib/google-pages.js';

// The extension's decisions that need no browser: what Google's pages show, how typed commands
// are read, which chips can be undone, what the Sheets sidebar says about sync.

describe('Google pages', () => {
  it('reads the spreadsheet id and name from a Sheets URL and title', () => {
    expect(spreadsheetOf('https://docs.google.com/spreadsheets/d/1AbC_d-9/edit#gid=0', 'Groceries - Google Sheets')).toEqual({ id: '1AbC_d-9', name: 'Groceries' });
    expect(spreadsheetOf('https://docs.google.com/spreadsheets/u/0/', 'Google Sheets')).toEqual({ id: null, name: 'Google Sheets' });
  });

  it('finds the day in view in Calendar URLs, and today when the URL names none', () => {
    expect(dayInView('https://calendar.google.com/calendar/u/0/r/day/2026/12/3')).toBe('2026-12-03');
    expect(dayInView('https://calendar.google.com/calendar/r/week/2027/1/15?pli=1')).toBe('2027-01-15');
    expect(dayInView('https://calendar.google.com/calendar/u/0/r', new Date(2026, 10, 29))).toBe('2026-11-29');
  });

  it('a typed quick-add is an event on the day in view unless it names a day', () => {
    expect(calendarCommand('lunch with Sam at 1pm', '2026-12-03')).toBe('schedule lunch with Sam at 1pm on Thursday, December 3, 2026');
    expect(calendarCommand('dentist on Friday at 3', '2026-12-03')).toBe('schedule dentist on Friday at 3');
    expect(calendarCommand('book a table tomorrow', '2026-12-03')).toBe('book a table tomorrow');
    expect(namesADay('lunch with Sam at one')).toBe(false);
    expect(namesADay('call mum on the 3rd')).toBe(true);
  });

  it('"add a row for …" in Sheets is a task, on the linked list when there is one', () => {
    expect(sheetsCommand('add a row for oat milk')).toBe('add oat milk');
    expect(sheetsCommand('Add a new row with call the bank', 'errands')).toBe('add call the bank to my errands list');
    expect(sheetsCommand('mark the dentist done')).toBe('mark the dentist done');
  });
});

describe('chips', () => {
  const created: TurnOutcome = { status: 'done', action: { kind: 'task', action: 'create', title: 'milk' }, item: { kind: 'task', id: 't1', title: 'milk' } };
  it('a created item can be undone and renamed; an edit cannot be undone; a question makes no chip', () => {
    expect(chipFrom(created)).toMatchObject({ id: 't1', verb: 'create', canUndo: true, canEdit: true });
    expect(chipFrom({ ...created, action: { kind: 'task', action: 'update', target: { text: 'milk' }, changes: { title: 'oat milk' } } })).toMatchObject({ canUndo: false, canEdit: true });
    expect(chipFrom({ status: 'answered', action: { kind: 'task', action: 'query', scope: 'today' } })).toBeNull();
    expect(chipFrom({ status: 'failed' })).toBeNull();
  });
  it('a check-in can be undone only when the outcome says which habit and day', () => {
    const checkin = { status: 'done', action: { kind: 'habit', action: 'complete', target: { text: 'run' } }, item: { kind: 'checkin', id: 'c1', title: 'run' } } as TurnOutcome;
    expect(chipFrom(checkin)?.canUndo).toBe(false);
    expect(chipFrom({ ...checkin, item: { ...checkin.item!, habitId: 'h1', day: '2026-11-29' } })?.canUndo).toBe(true);
  });
});

describe('the Sheets sidebar sync status', () => {
  const base: GoogleStatus = { configured: true, account: { email: 'ada@example.com', state: 'active', scopes: [] }, sheets: null, calendar: null };
  const link = { provider: 'sheets' as const, id: 'l1', externalId: 'sheet-1', state: 'ok' as const, lastSyncAt: null, error: null, conflicts: 0 };
  it('says whether this spreadsheet, another one or none is linked, and why not', () => {
    expect(sheetLinkOf({ ...base, configured: false, message: 'Set SAYSO_GOOGLE_CLIENT_ID' }, 'sheet-1')).toEqual({ kind: 'off', message: 'Set SAYSO_GOOGLE_CLIENT_ID' });
    expect(sheetLinkOf({ ...base, account: null }, 'sheet-1').kind).toBe('no-account');
    expect(sheetLinkOf({ ...base, account: { ...base.account!, state: 'revoked' } }, 'sheet-1').kind).toBe('no-account');
    expect(sheetLinkOf(base, 'sheet-1').kind).toBe('not-linked');
    expect(sheetLinkOf({ ...base, sheets: link }, 'sheet-2')).toEqual({ kind: 'other-sheet', externalId: 'sheet-1' });
    expect(sheetLinkOf({ ...base, sheets: link }, 'sheet-1')).toEqual({ kind: 'linked', link });
  });
});
