// What Sayso understood from one utterance: a single action on one kind of item. Both
// understanding engines (LLM tool calls and the offline parser) produce this shape; the act
// stage carries it out through the same domain services as REST.

export type ActionKind = 'task' | 'event' | 'journal' | 'habit';
export type ActionVerb = 'create' | 'query' | 'complete' | 'update' | 'remove' | 'none';

/** How an utterance points at an existing item: by words in its title/name, or "it" (the last one touched). */
export interface ItemRef {
  /** Words to match against titles or names, e.g. "dentist". */
  text?: string;
  /** The item the conversation last created or changed ("move it to Friday"). */
  last?: boolean;
}

/** A window of days, both ends inclusive, as YYYY-MM-DD. */
export interface DayRange {
  from: string;
  to: string;
}

export type Action =
  | { kind: 'task'; action: 'create'; title: string; dueDate?: string; dueTime?: string; priority?: 'low' | 'medium' | 'high'; list?: string; notes?: string }
  | { kind: 'task'; action: 'complete'; target: ItemRef }
  | {
      kind: 'task';
      action: 'update';
      target: ItemRef;
      changes: { title?: string; dueDate?: string | null; dueTime?: string | null; priority?: 'none' | 'low' | 'medium' | 'high'; list?: string };
    }
  | { kind: 'task'; action: 'remove'; target: ItemRef }
  | { kind: 'task'; action: 'query'; scope: 'today' | 'overdue' | 'upcoming' | 'all'; range?: DayRange; list?: string }
  | { kind: 'event'; action: 'create'; title: string; date: string; time?: string; durationMinutes?: number }
  | { kind: 'event'; action: 'query'; range: DayRange }
  | { kind: 'event'; action: 'remove'; target: ItemRef; date?: string }
  | { kind: 'journal'; action: 'create'; text: string; mood?: number }
  /** "what did I write about sleep?" (question) or "how was my week?" (range, summarise). */
  | { kind: 'journal'; action: 'query'; question?: string; range?: DayRange; summarize?: boolean }
  | { kind: 'habit'; action: 'create'; name: string; cadence?: 'daily' | 'weekly'; target?: number }
  /** A check-in: "did my meditation", "drank 3 glasses of water". */
  | { kind: 'habit'; action: 'complete'; target: ItemRef; value?: number; day?: string }
  | { kind: 'habit'; action: 'query'; target?: ItemRef }
  /** Not a productivity request: nothing is written; the reply says what Sayso can do. */
  | { kind: null; action: 'none'; reason?: string };

export interface Understanding {
  action: Action;
  /** 0..1: how sure the engine is. Below the act stage's threshold, Sayso asks instead of acting. */
  confidence: number;
  /** Which engine produced it, e.g. `offline-rules` or `openai:gpt-4o-mini`. */
  engine: string;
}
