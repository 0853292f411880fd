import { describe, expect, it } from 'vitest';
import { decide, mergeFields } from '../src/integrations/google/merge.js';

// The decision for one synced item, given what both sides last agreed on.
const F = ['title', 'notes'] as const;
const base = { title: 'A', notes: null };

describe('decide', () => {
  it('a change on one side goes to the other', () => {
    expect(decide(base, { fields: { title: 'B', notes: null } }, { fields: base }, F)).toMatchObject({ kind: 'push', fields: { title: 'B' } });
    expect(decide(base, { fields: base }, { fields: { title: 'C', notes: null } }, F)).toMatchObject({ kind: 'pull', patch: { title: 'C' }, conflicts: [] });
  });

  it('changes to different fields on both sides are both kept', () => {
    const d = decide(base, { fields: { title: 'B', notes: null } }, { fields: { title: 'A', notes: 'n' } }, F);
    expect(d).toEqual({ kind: 'pull', patch: { notes: 'n' }, result: { title: 'B', notes: 'n' }, conflicts: [] });
  });

  it('one field changed on both sides keeps Sayso and reports Google', () => {
    const d = decide(base, { fields: { title: 'B', notes: null } }, { fields: { title: 'C', notes: null } }, F);
    expect(d).toEqual({ kind: 'pull', patch: {}, result: { title: 'B', notes: null }, conflicts: [{ field: 'title', sayso: 'B', google: 'C', kept: 'sayso' }] });
  });

  it('deletions: one side deletes, the other follows; against an edit, the edit in Sayso wins and is reported', () => {
    expect(decide(base, 'deleted', { fields: base }, F)).toMatchObject({ kind: 'push-delete', conflicts: [] });
    expect(decide(base, { fields: base }, 'deleted', F)).toEqual({ kind: 'pull-delete' });
    expect(decide(base, 'deleted', 'deleted', F)).toEqual({ kind: 'forget' });
    expect(decide(base, { fields: { title: 'B', notes: null } }, 'deleted', F)).toMatchObject({ kind: 'push', note: expect.stringMatching(/deleted in Google/) });
    expect(decide(base, 'deleted', { fields: { title: 'C', notes: null } }, F)).toMatchObject({ kind: 'push-delete', conflicts: [{ field: 'title', google: 'C' }] });
  });

  it('items never synced: new on one side are created on the other', () => {
    expect(decide(undefined, { fields: base }, undefined, F)).toMatchObject({ kind: 'push' });
    expect(decide(undefined, undefined, { fields: base }, F)).toEqual({ kind: 'pull-create', fields: base });
    expect(decide(undefined, { fields: base }, { fields: base }, F)).toEqual({ kind: 'none' });
  });

  it('the same value made on both sides is no conflict', () => {
    expect(mergeFields(base, { title: 'B', notes: null }, { title: 'B', notes: null }, F).conflicts).toEqual([]);
  });
});
