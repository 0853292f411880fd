import { browser } from 'wxt/browser';
import type { ApiArgs, ApiOp, ApiResult } from './api-ops';
import type { TextTurnResult as SdkTextTurnResult, TurnOutcome } from '@sayso/sdk';
import type { Chip } from './chips';
import type { Settings, StoredSession } from './settings';

// Every message between the parts of the extension, in one place. Pages and content scripts
// talk to the background; the background drives the offscreen document (which holds the
// microphone and the voice session) and forwards its events to the tab being spoken to.

/** A voice session event, as it crosses from the offscreen document to a tab. */
export type VoiceEvent =
  | { name: 'state'; state: 'disconnected' | 'connecting' | 'idle' | 'listening' | 'thinking' | 'speaking' | 'error' }
  | { name: 'level'; level: number }
  | { name: 'transcript'; turnId: string; text: string; final: boolean }
  | { name: 'result'; turnId: string; text: string; reply: string; outcome: TurnOutcome | { status: 'failed' }; chip: Chip | null }
  | { name: 'tool'; tool: string; ok: boolean }
  | { name: 'error'; kind: string; message: string }
  /** The capture ended (stopped, cancelled or closed): the overlay may fade out. */
  | { name: 'ended'; reason: 'stopped' | 'cancelled' | 'closed' };

/** What the title, link and selection of the page being spoken to are. */
export interface PageContext {
  title: string;
  url: string;
  selection: string;
}

/** A typed command's result (`client.turns.say`), with its chip. */
export interface TextTurnResult extends SdkTextTurnResult {
  chip: Chip | null;
}

export type BackgroundRequest =
  /** The hotkey, from a button: start or stop capture for the sender's tab (or the active one). */
  | { type: 'capture:toggle'; tabId?: number }
  | { type: 'capture:cancel' }
  | { type: 'turn:text'; text: string }
  | { type: 'chip:undo'; chip: Chip }
  | { type: 'chip:rename'; chip: Chip; title: string }
  | { type: 'api'; op: ApiOp; args: unknown[] }
  | { type: 'session:get' }
  | { type: 'google:status' }
  /** Link this spreadsheet to Sayso (replaces an earlier link). */
  | { type: 'google:link-sheet'; spreadsheetId: string }
  | { type: 'google:sync' }
  /** The Google consent page to open, to connect a Google account. */
  | { type: 'google:connect' }
  // From the offscreen document:
  | { type: 'voice:event'; tabId: number; event: VoiceEvent }
  | { type: 'page:context'; tabId: number };

export type OffscreenRequest = { target: 'offscreen' } & (
  | { type: 'toggle'; tabId: number; settings: Settings; session: StoredSession }
  | { type: 'cancel' }
  | { type: 'status' }
);

export type TabMessage =
  | { type: 'voice:event'; event: VoiceEvent }
  /** Is there a Sayso surface (overlay, Sheets sidebar, Calendar overlay) in this tab? */
  | { type: 'surface:ping' }
  | { type: 'overlay:show' };

/** Replies carry errors as data: a rejected promise loses its message on the way. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

export async function ask<T>(msg: BackgroundRequest): Promise<T> {
  const reply = (await browser.runtime.sendMessage(msg)) as Reply<T> | undefined;
  if (!reply) throw new Error('The Sayso background did not answer. Reload the extension at chrome://extensions.');
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

/** A REST call through the background, typed by operation. */
export function api<K extends ApiOp>(op: K, ...args: ApiArgs<K>): Promise<ApiResult<K>> {
  return ask<ApiResult<K>>({ type: 'api', op, args });
}
