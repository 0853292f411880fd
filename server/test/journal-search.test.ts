import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/open-store.js';
import { journalEntries, users } from '../src/store/schema.js';
import { searchJournal } from '../src/store/journal-search.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';

const embedder = new HashEmbedder();
const embed = async (text: string) => (await embedder.embed([text])).vectors[0]!;

describe('searchJournal', () => {
  let store: Store;
  let alice: string;
  let bob: string;
  const ids: Record<string, string> = {};

  /** Inserts an entry as the repositories would, returning its id. */
  async function entry(userId: string, text: string, extra: { model?: string | null; deleted?: boolean } = {}): Promise<string> {
    const model = extra.model === undefined ? embedder.id : extra.model;
    const [row] = await store.db
      .insert(journalEntries)
      .values({
        userId,
        text,
        day: '2026-11-01',
        source: 'test',
        embedding: model === null ? null : await embed(text),
        embeddingModel: model,
        deletedAt: extra.deleted ? new Date() : null,
      })
      .returning({ id: journalEntries.id });
    return row!.id;
  }

  beforeAll(async () => {
    store = await openStore({ kind: 'embedded', dataDir: null });
    const made = await store.db
      .insert(users)
      .values([
        { name: 'Alice', subject: 'test:alice' },
        { name: 'Bob', subject: 'test:bob' },
      ])
      .returning({ id: users.id });
    alice = made[0]!.id;
    bob = made[1]!.id;
    ids.sleep = await entry(alice, 'Slept badly again, tired all day at work');
    ids.run = await entry(alice, 'Long run in the park before breakfast');
    ids.dinner = await entry(alice, 'Dinner with Sam at the Thai place');
    ids.deadline = await entry(alice, 'Work deadline moved, lots of stress');
    // The same words as the query, but each must be left out for its own reason.
    ids.bobs = await entry(bob, 'slept badly, tired all day');
    ids.deleted = await entry(alice, 'slept badly, tired all day', { deleted: true });
    ids.otherModel = await entry(alice, 'slept badly, tired all day', { model: 'openai:text-embedding-3-small@512' });
    ids.notEmbedded = await entry(alice, 'slept badly, tired all day', { model: null });
  });
  afterAll(() => store?.close());

  it('returns the nearest entries first, scored by cosine similarity', async () => {
    const hits = await searchJournal(store.db, { userId: alice, vector: await embed('slept badly, tired all day'), model: embedder.id, limit: 10 });
    expect(hits[0]?.id).toBe(ids.sleep);
    expect(hits[0]!.score).toBeGreaterThan(0.3);
    expect(hits[0]!.score).toBeLessThanOrEqual(1 + 1e-6);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(hits.map((h) => h.id).sort()).toEqual([ids.sleep, ids.run, ids.dinner, ids.deadline].sort());
  });

  it("never returns another person's entries", async () => {
    const hits = await searchJournal(store.db, { userId: bob, vector: await embed('dinner with Sam'), model: embedder.id, limit: 10 });
    expect(hits.map((h) => h.id)).toEqual([ids.bobs]);
  });

  it('leaves out deleted entries, entries of another model and entries not embedded yet', async () => {
    const hits = await searchJournal(store.db, { userId: alice, vector: await embed('slept badly, tired all day'), model: embedder.id, limit: 10 });
    const found = new Set(hits.map((h) => h.id));
    expect(found.has(ids.deleted!)).toBe(false);
    expect(found.has(ids.otherModel!)).toBe(false);
    expect(found.has(ids.notEmbedded!)).toBe(false);
  });

  it('searches only the vectors of the query model', async () => {
    const hits = await searchJournal(store.db, {
      userId: alice,
      vector: await embed('slept badly, tired all day'),
      model: 'openai:text-embedding-3-small@512',
      limit: 10,
    });
    expect(hits).toEqual([{ id: ids.otherModel, score: expect.closeTo(1, 5) }]);
  });

  it('honours the limit', async () => {
    const hits = await searchJournal(store.db, { userId: alice, vector: await embed('run in the park'), model: embedder.id, limit: 2 });
    expect(hits).toHaveLength(2);
    expect(hits[0]?.id).toBe(ids.run);
  });
});
