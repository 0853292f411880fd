import type { SyncStatus } from '@sayso/sdk';

// Google Sheets and Calendar sync as the gateway reports it (GET /v1/google/status).

export interface GoogleLink extends Omit<SyncStatus, 'provider'> {
  provider: 'sheets' | 'calendar';
  id: string;
  /** The spreadsheet or calendar id at Google. */
  externalId?: string;
}

export interface GoogleStatus {
  /** False when the gateway has no Google OAuth client; `message` says how to turn it on. */
  configured: boolean;
  message?: string;
  account: { email: string | null; state: 'active' | 'revoked'; scopes: string[] } | null;
  sheets: GoogleLink | null;
  calendar: GoogleLink | null;
}

/** What the Sheets sidebar says about the spreadsheet on screen. */
export type SheetLink =
  | { kind: 'off'; message: string }
  | { kind: 'no-account' }
  | { kind: 'not-linked' }
  | { kind: 'other-sheet'; externalId: string }
  | { kind: 'linked'; link: GoogleLink };

export function sheetLinkOf(status: GoogleStatus, spreadsheetId: string | null): SheetLink {
  if (!status.configured) return { kind: 'off', message: status.message ?? 'Google sync is off on this gateway.' };
  if (!status.account || status.account.state !== 'active') return { kind: 'no-account' };
  const link = status.sheets;
  if (!link) return { kind: 'not-linked' };
  if (link.externalId && spreadsheetId && link.externalId !== spreadsheetId) return { kind: 'other-sheet', externalId: link.externalId };
  return { kind: 'linked', link };
}
