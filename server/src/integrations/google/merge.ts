/** Field values as both sides are compared: strings, numbers, or null for empty. */
export type Fields = Record<string, string | number | null>;

/** One field both sides changed to different values: Sayso's value is kept, the other is recorded. */
export interface FieldConflict {
  field: string;
  sayso: string | number | null;
  google: string | number | null;
  kept: 'sayso';
}

export interface Merged {
  /** Fields to write to Sayso (changed only on Google's side). */
  toSayso: Fields;
  /** The values both sides end with; differs from Google's when Sayso changed or won a field. */
  result: Fields;
  conflicts: FieldConflict[];
}

/**
 * Three-way merge of one item against `base`, the values both sides last agreed on. A field
 * changed on one side takes that side's value; a field changed on both to different values keeps
 * Sayso's (the committed, versioned write) and is reported, so the other value is never lost.
 */
export function mergeFields(base: Fields, sayso: Fields, google: Fields, fields: readonly string[]): Merged {
  const toSayso: Fields = {};
  const result: Fields = {};
  const conflicts: FieldConflict[] = [];
  for (const f of fields) {
    const b = base[f] ?? null;
    const s = sayso[f] ?? null;
    const g = google[f] ?? null;
    if (g === b || g === s) {
      result[f] = s;
    } else if (s === b) {
      toSayso[f] = g;
      result[f] = g;
    } else {
      conflicts.push({ field: f, sayso: s, google: g, kept: 'sayso' });
      result[f] = s;
    }
  }
  return { toSayso, result, conflicts };
}

export const sameFields = (a: Fields, b: Fields, fields: readonly string[]) => fields.every((f) => (a[f] ?? null) === (b[f] ?? null));

export const pick = (o: Fields, fields: readonly string[]): Fields => Object.fromEntries(fields.map((f) => [f, o[f] ?? null]));

/** Google's side of one item: its fields, or `deleted`. */
export type RemoteState = { fields: Fields } | 'deleted' | undefined;
/** Sayso's side of one item (undefined or `deleted`: gone, or no longer mirrored on this link). */
export type LocalState = { fields: Fields } | 'deleted' | undefined;

export type Decision =
  /** Nothing changed on either side. */
  | { kind: 'none' }
  /** Write Sayso's values to Google (creating the remote item when it is missing). */
  | { kind: 'push'; fields: Fields; conflicts: FieldConflict[]; note?: string }
  /** Delete the remote item. */
  | { kind: 'push-delete'; conflicts: FieldConflict[]; note?: string }
  /** Apply `patch` to Sayso; Google ends with `result` (rewritten when it differs). */
  | { kind: 'pull'; patch: Fields; result: Fields; conflicts: FieldConflict[] }
  /** A new item made in Google: create it in Sayso. */
  | { kind: 'pull-create'; fields: Fields }
  /** Deleted in Google: delete it in Sayso. */
  | { kind: 'pull-delete' }
  /** Gone on both sides: forget it. */
  | { kind: 'forget' };

/**
 * What to do with one item, given the values both sides last agreed on (`base`, absent for an item
 * never synced). A side "changed" when its values differ from the base. When both changed, values
 * are merged field by field (mergeFields); a deletion against an edit keeps the edit's item where
 * the edit was made in Sayso and records the other side's values, so nothing is lost silently.
 */
export function decide(base: Fields | undefined, local: LocalState, remote: RemoteState, fields: readonly string[]): Decision {
  const L = local === 'deleted' ? undefined : local;
  const R = remote === 'deleted' ? undefined : remote;
  if (!base) {
    if (L && R) {
      if (sameFields(L.fields, R.fields, fields)) return { kind: 'none' };
      // Both have it but never synced (a sheet linked again): Sayso's values win, Google's are recorded.
      return { kind: 'push', fields: L.fields, conflicts: diff(L.fields, R.fields, fields) };
    }
    if (L) return { kind: 'push', fields: L.fields, conflicts: [] };
    if (R) return { kind: 'pull-create', fields: R.fields };
    return { kind: 'forget' };
  }
  if (!L && !R) return { kind: 'forget' };
  const localChanged = !L || !sameFields(L.fields, base, fields);
  const remoteChanged = !R || !sameFields(R.fields, base, fields);
  if (!localChanged && !remoteChanged) return { kind: 'none' };
  if (!remoteChanged) return L ? { kind: 'push', fields: L.fields, conflicts: [] } : { kind: 'push-delete', conflicts: [] };
  if (!localChanged) {
    if (!R) return { kind: 'pull-delete' };
    const merged = mergeFields(base, L!.fields, R.fields, fields);
    return { kind: 'pull', patch: merged.toSayso, result: merged.result, conflicts: [] };
  }
  if (!L) return { kind: 'push-delete', conflicts: diff(base, R!.fields, fields), note: 'deleted in Sayso, edited in Google: the deletion was kept' };
  if (!R) return { kind: 'push', fields: L.fields, conflicts: [], note: 'deleted in Google, edited in Sayso: the item was kept and written back' };
  const merged = mergeFields(base, L.fields, R.fields, fields);
  return { kind: 'pull', patch: merged.toSayso, result: merged.result, conflicts: merged.conflicts };
}

/** Every field where `google` differs from `sayso`, as a conflict Sayso won. */
function diff(sayso: Fields, google: Fields, fields: readonly string[]): FieldConflict[] {
  return fields.filter((f) => (sayso[f] ?? null) !== (google[f] ?? null)).map((f) => ({ field: f, sayso: sayso[f] ?? null, google: google[f] ?? null, kept: 'sayso' as const }));
}
