// The element's attributes, read into one typed object.

export type Theme = 'light' | 'dark' | 'auto';
export type Position = 'bottom-right' | 'bottom-left' | 'inline';

export interface WidgetConfig {
  /** The gateway, e.g. `https://sayso.example.com`. Default: the page's own origin. */
  server: string;
  /** Publishable key (`pk_...`): the widget gets a short-lived session for this site with it. */
  key: string | undefined;
  /** A session token, instead of a key (pages that signed the person in themselves). */
  token: string | undefined;
  theme: Theme;
  position: Position;
  /** BCP 47 tag for dates and the `lang` of the widget's text. Default: the page's. */
  language: string;
  handsFree: boolean;
  voiceReplies: boolean;
  open: boolean;
}

export const OBSERVED_ATTRIBUTES = ['server', 'key', 'token', 'theme', 'position', 'language', 'hands-free', 'voice-replies', 'open'] as const;

/** Attributes that need a new session when they change; the rest only re-render. */
export const SESSION_ATTRIBUTES: ReadonlySet<string> = new Set(['server', 'key', 'token']);

const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

/** A boolean attribute: present means on, except the explicit words for off. */
const flag = (value: string | null, fallback: boolean): boolean =>
  value === null ? fallback : !['false', 'off', 'no', '0'].includes(value.trim().toLowerCase());

export function readConfig(el: Element): WidgetConfig {
  const get = (name: string) => el.getAttribute(name);
  return {
    server: (get('server')?.trim() || location.origin).replace(/\/+$/, ''),
    key: get('key')?.trim() || undefined,
    token: get('token')?.trim() || undefined,
    theme: oneOf(get('theme'), ['light', 'dark', 'auto'], 'auto'),
    position: oneOf(get('position'), ['bottom-right', 'bottom-left', 'inline'], 'bottom-right'),
    language: get('language')?.trim() || document.documentElement.lang || navigator.language || 'en',
    handsFree: flag(get('hands-free'), false),
    voiceReplies: flag(get('voice-replies'), true),
    open: flag(get('open'), false),
  };
}
