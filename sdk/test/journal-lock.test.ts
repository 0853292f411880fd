import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway, type Gateway } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { openTestStore, type TestStore } from '../../server/test/support/stores.js';
import { fromBase64Url, toBase64Url } from '../src/crypto/base64.js';
import { EncryptedJournal, JournalLock, JournalLockError, SaysoClient, type JournalEntry } from '../src/index.js';
import { until } from './support/until.js';

// End-to-end encrypted journals against a real gateway and database: what the client sends, what
// the server keeps (read straight from the store), search, passphrase change, and sealing entries
// that arrived plain (typed or spoken turns).
describe('encrypted journal (JournalLock + EncryptedJournal)', () => {
  let db: TestStore;
  let gw: Gateway;
  let client: SaysoClient;
  let userId: string;
  const passphrase = 'plum orchard at dusk, 7 lanterns';
  let lock: JournalLock;
  let journal: EncryptedJournal;

  /** Every row of every table in the public schema, as text: what someone with the database sees. */
  const dumpDatabase = async (): Promise<string> => {
    const { rows } = await db.store.pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    const parts: string[] = [];
    for (const { table_name } of rows) {
      const res = await db.store.pool.query<{ row: string }>(`select row_to_json(t)::text as row from "${table_name}" t`);
      parts.push(...res.rows.map((r) => r.row));
    }
    return parts.join('\n');
  };
  const entryRow = async (id: string) =>
    (await db.store.db.execute<{ text: string | null; ciphertext: string | null; mood: number | null; embedding: unknown }>(
      sql`select text, ciphertext, mood, embedding from journal_entries where id = ${id}`,
    )).rows[0]!;

  beforeAll(async () => {
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_UNDERSTANDER: 'offline', SAYSO_TTS: 'local' });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    client = await SaysoClient.signInLocal(gw.url, { name: 'Ada', WebSocket });
    userId = client.session!.user.id;
    lock = await JournalLock.create(passphrase, { userId });
    journal = new EncryptedJournal(client, lock);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.close();
  });

  it('round-trips an entry: text and mood come back, the gateway gets only ciphertext, IV and keyId', async () => {
    const written = await journal.create({ text: 'Walked along the canal with Sam; felt calm for the first time in weeks.', mood: 4, day: '2026-11-20' });
    expect(written).toMatchObject({ state: 'decrypted', text: 'Walked along the canal with Sam; felt calm for the first time in weeks.', mood: 4 });
    const raw = await client.journal.get(written.entry.id);
    expect(raw).toMatchObject({ text: null, mood: null, keyId: lock.keyId, day: '2026-11-20' });
    expect(raw.ciphertext).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(fromBase64Url(raw.iv!)).toHaveLength(12);
    expect(await journal.get(raw.id)).toMatchObject({ text: written.text, mood: 4 });
    // Updating re-encrypts; leaving the mood out keeps it.
    const changed = await journal.update(raw.id, { version: raw.version, text: 'Walked along the canal with Sam and Jo.' });
    expect(changed).toMatchObject({ text: 'Walked along the canal with Sam and Jo.', mood: 4, state: 'decrypted' });
    expect(changed.entry.iv).not.toBe(raw.iv);
  });

  it('uses a fresh 12-byte IV for every encryption, so the same words never give the same ciphertext', async () => {
    const secret = { text: 'Same words every day.', mood: 3 };
    const sealed = await Promise.all(Array.from({ length: 50 }, () => lock.encrypt(secret)));
    expect(new Set(sealed.map((s) => s.iv)).size).toBe(50);
    expect(new Set(sealed.map((s) => s.ciphertext)).size).toBe(50);
    for (const s of sealed) expect(fromBase64Url(s.iv)).toHaveLength(12);
    expect(await lock.decrypt(sealed[49]!)).toEqual(secret);
  });

  it('names its parameters in keyId, so another device re-derives the key from the passphrase alone', async () => {
    expect(lock.keyId).toMatch(/^pbkdf2-sha256\.600000\.[A-Za-z0-9_-]{22}$/);
    const { iterations, salt } = JournalLock.parseKeyId(lock.keyId);
    expect(iterations).toBeGreaterThanOrEqual(600_000);
    expect(salt).toHaveLength(16);
    // Two people with the same passphrase still get different keys (random salt).
    expect((await JournalLock.create(passphrase, { userId })).keyId).not.toBe(lock.keyId);

    const [newest] = (await client.journal.list()).items;
    const t0 = performance.now();
    const otherDevice = await JournalLock.unlock(passphrase, { userId, keyId: newest!.keyId!, check: newest as JournalEntry & { ciphertext: string; iv: string; keyId: string } });
    const deriveMs = performance.now() - t0;
    expect(deriveMs).toBeGreaterThan(20); // the work factor is real, not skipped
    expect((await otherDevice.decrypt(newest!)).text).toBe('Walked along the canal with Sam and Jo.');
  });

  it('refuses a wrong passphrase with a clear error, before anything is written', async () => {
    const [entry] = (await client.journal.list()).items;
    const check = { ciphertext: entry!.ciphertext!, iv: entry!.iv!, keyId: entry!.keyId! };
    const err = await JournalLock.unlock('plum orchard at dusk, 8 lanterns', { userId, keyId: check.keyId, check }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalLockError);
    expect(err).toMatchObject({ code: 'wrong_passphrase', message: expect.stringMatching(/passphrase does not unlock/) });
    await expect(JournalLock.unlock('', { userId, keyId: check.keyId })).rejects.toMatchObject({ code: 'wrong_passphrase' });
    // A verifier does the same job before the first entry exists.
    const verifier = await lock.verifier();
    await expect(JournalLock.unlock('nope', { userId, keyId: lock.keyId, check: verifier })).rejects.toMatchObject({ code: 'wrong_passphrase' });
    expect((await JournalLock.unlock(passphrase, { userId, keyId: lock.keyId, check: verifier })).keyId).toBe(lock.keyId);
  });

  it('rejects altered ciphertext, a swapped IV, and an entry moved to another person', async () => {
    const a = await lock.encrypt({ text: 'Told no one about the interview.', mood: null });
    const b = await lock.encrypt({ text: 'Another day.', mood: null });
    const bytes = fromBase64Url(a.ciphertext);
    bytes[5] = bytes[5]! ^ 0x01;
    await expect(lock.decrypt({ ...a, ciphertext: toBase64Url(bytes) })).rejects.toMatchObject({ code: 'tampered' });
    await expect(lock.decrypt({ ...a, iv: b.iv })).rejects.toMatchObject({ code: 'tampered' });
    // Same passphrase and salt, another person: the additional data differs, so the tag fails.
    const mallory = await JournalLock.unlock(passphrase, { userId: '00000000-0000-4000-8000-000000000000', keyId: lock.keyId });
    await expect(mallory.decrypt(a)).rejects.toMatchObject({ code: 'tampered' });
    // A keyId with few iterations (a server trying to make guessing cheap) is refused outright.
    const weak = `pbkdf2-sha256.1000.${lock.keyId.split('.')[2]}`;
    await expect(JournalLock.unlock(passphrase, { userId, keyId: weak })).rejects.toMatchObject({ code: 'bad_key_id' });
  });

  it('keeps no plaintext, passphrase or key material in the database and no vector for encrypted entries', async () => {
    const secretText = 'Zanzibar-secret: told Mara about the diagnosis.';
    const written = await journal.create({ text: secretText, mood: 2 });
    const row = await entryRow(written.entry.id);
    expect(row).toMatchObject({ text: null, mood: null, embedding: null });
    expect(row.ciphertext).toBe(written.entry.ciphertext);

    // The raw key bytes, derived here the way the lock does, must appear nowhere either.
    const { iterations, salt } = JournalLock.parseKeyId(lock.keyId);
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveBits']);
    const keyBytes = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations }, material, 256));
    const everything = (await dumpDatabase()).toLowerCase();
    expect(everything).toContain(written.entry.id); // the dump does see the entry and its events
    for (const needle of ['zanzibar', 'diagnosis', 'walked along the canal', passphrase.toLowerCase(), toBase64Url(keyBytes).toLowerCase(), Buffer.from(keyBytes).toString('hex')]) {
      expect(everything).not.toContain(needle);
    }
  });

  it('leaves encrypted entries out of server search and finds them by local search', async () => {
    const plain = await client.journal.create({ text: 'Long run by the river, legs tired but happy.', day: '2026-11-22' });
    const encrypted = await journal.create({ text: 'Long run by the river again, slept well after.', day: '2026-11-23' });
    await journal.create({ text: 'Cooked dinner for the neighbours.', day: '2026-11-24' });

    const server = await client.journal.search('long run by the river', { limit: 50 });
    expect(server.items.map((h) => h.entry.id)).toContain(plain.id);
    expect(server.items.every((h) => h.entry.ciphertext === null)).toBe(true);

    const local = await journal.search('running by the river');
    expect(local[0]?.entry.entry.id).toBe(encrypted.entry.id); // all words, stem "run" and the newer phrase
    expect(local.map((h) => h.entry.entry.id)).toContain(plain.id); // plain entries are searched here too
    expect(local.map((h) => h.entry.text)).not.toContain('Cooked dinner for the neighbours.');
    expect(await journal.search('zebra')).toEqual([]);
  });

  it('seals a journal entry that a turn stored plain, as soon as an unlocked client sees it live', async () => {
    const seen: JournalEntry[] = [];
    const sealing: Array<Promise<JournalEntry>> = [];
    const sub = client.live({
      onEvent: (e) => {
        if (e.type !== 'journal_update' || e.data.op === 'deleted') return;
        seen.push(e.data.entry);
        if (e.data.entry.text !== null) sealing.push(journal.seal(e.data.entry));
      },
    });
    await until(() => sub.state === 'open', 'the live socket');
    const turn = await client.turns.say('journal: quokka evening, argued with dad about the house');
    expect(turn.outcome).toMatchObject({ status: 'done', item: { kind: 'journal' } });
    const id = (turn.outcome as { item: { id: string } }).item.id;
    await until(() => sealing.length > 0 && seen.some((e) => e.id === id && e.ciphertext !== null), 'the sealed entry to come back live');
    sub.close();
    await Promise.all(sealing);

    // It was plain for a moment: that is the caveat of dictation, recognised on the gateway.
    expect(seen.find((e) => e.id === id && e.text !== null)?.text).toContain('quokka');
    const row = await entryRow(id);
    expect(row).toMatchObject({ text: null, embedding: null });
    expect((await journal.get(id)).text).toContain('quokka evening');
    // Gone from the events kept for resume and from the turn's record too.
    expect((await dumpDatabase()).toLowerCase()).not.toContain('quokka');
    // A client catching up from the start gets the history without the text.
    const replayed: JournalEntry[] = [];
    const again = client.live({ lastEventId: 0, onEvent: (e) => e.type === 'journal_update' && replayed.push(e.data.entry) });
    await until(() => replayed.some((e) => e.id === id && e.ciphertext !== null), 'the replayed history');
    again.close();
    expect(replayed.filter((e) => e.id === id).every((e) => e.text === null)).toBe(true);
    expect(await journal.seal(await client.journal.get(id))).toMatchObject({ id, text: null }); // sealing twice is a no-op
  });

  it('changes the passphrase: every entry moves to the new key, resumes after an interruption, the old key reads none', async () => {
    const before = await journal.all();
    expect(before.length).toBeGreaterThanOrEqual(6);
    const next = await JournalLock.create('a completely new passphrase for winter', { userId });
    // Interrupted after two entries (a closed tab, a dropped connection).
    const stopped = await journal.rekey(next, { onProgress: ({ done }) => { if (done === 2) throw new Error('tab closed'); } }).catch((e: Error) => e);
    expect(stopped).toBeInstanceOf(Error);
    const mixed = await journal.all();
    expect(mixed.filter((e) => e.keyId === next.keyId)).toHaveLength(2);
    expect(mixed.some((e) => e.keyId === lock.keyId)).toBe(true);

    // Another session with only the new passphrase cannot finish: it says which passphrase it needs.
    const newOnly = new EncryptedJournal(client, next);
    await expect(newOnly.rekey(next)).rejects.toMatchObject({ code: 'other_key' });
    // With both passphrases it finishes; entries already moved are skipped.
    const resumed = new EncryptedJournal(client, next, [await JournalLock.unlock(passphrase, { userId, keyId: lock.keyId })]);
    const progress: number[] = [];
    const result = await resumed.rekey(next, { onProgress: ({ done }) => progress.push(done) });
    expect(result.total).toBe(before.length - 2);
    expect(progress.at(-1)).toBe(result.total);

    const after = await journal.all();
    expect(after.map((e) => e.id).sort()).toEqual(before.map((e) => e.id).sort());
    for (const e of after) {
      expect(e).toMatchObject({ keyId: next.keyId, text: null });
      await expect(lock.decrypt(e)).rejects.toMatchObject({ code: 'other_key' });
      // Even told it is its own key, the old key fails the tag.
      await expect(lock.decrypt({ ...e, keyId: lock.keyId })).rejects.toMatchObject({ code: 'tampered' });
    }
    const texts = await Promise.all(after.map(async (e) => (await newOnly.open(e)).text));
    expect(texts).toContain('Long run by the river again, slept well after.');
    expect(texts).toContain('Long run by the river, legs tired but happy.'); // the plain one was sealed on the way
  });
});
