import type { LiveEvent, LiveState, SaysoClient } from '@sayso/sdk';
import { useEffect, useRef, useState } from 'react';

/**
 * Live updates for the side panel: every change from any device (voice, Sheets, the phone)
 * reaches `onEvent`. Returns the connection state, for a small "live" dot.
 */
export function useLive(client: SaysoClient | null, onEvent: (e: LiveEvent) => void, onResync: () => void): LiveState | 'off' {
  const [state, setState] = useState<LiveState | 'off'>('off');
  const handlers = useRef({ onEvent, onResync });
  handlers.current = { onEvent, onResync };
  useEffect(() => {
    if (!client) return;
    const sub = client.live({
      onEvent: (e) => handlers.current.onEvent(e),
      onResync: () => handlers.current.onResync(),
      onStateChange: setState,
    });
    return () => sub.close();
  }, [client]);
  return state;
}

/** Replaces the item with the same id, adds a new one first, or drops a deleted one. */
export function upsert<T extends { id: string }>(items: T[], item: T, deleted: boolean): T[] {
  const rest = items.filter((i) => i.id !== item.id);
  if (deleted) return rest;
  const at = items.findIndex((i) => i.id === item.id);
  return at < 0 ? [item, ...rest] : items.map((i) => (i.id === item.id ? item : i));
}
