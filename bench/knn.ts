/**
 * Journal k-NN on embedded Postgres (PGlite + pgvector): exact scan vs HNSW, per user and global.
 *
 * Synthetic but embedding-like data: vectors share a common direction (real sentence embeddings
 * are anisotropic), sit around one of 300 topic centroids x 4 subtopics, plus noise, so that
 * unrelated entries score ~0.15, same topic ~0.45, same subtopic ~0.6. Each user writes about a
 * few favourite topics; entry counts per user are log-normal, plus one heavy user with 10%.
 *
 *   npx tsx bench/knn.ts              # N = 100,000
 *   KNN_N=10000 npx tsx bench/knn.ts  # quick run
 */
import { pathToFileURL } from 'node:url';
import { openStore, type Store } from '../server/src/store/open-store.js';

const DIMS = 512;
const K = 10;
const MODEL = 'bench-512';

export async function benchKnn(): Promise<string[]> {
  const n = Number(process.env.KNN_N ?? 100_000);
  const queries = Number(process.env.KNN_QUERIES ?? 200);
  const rng = mulberry32(42);
  const space = makeSpace(rng);
  const users = makeUsers(rng, n, space);
  const heavy = users[0]!;
  const lines: string[] = [];
  const say = (line: string) => void lines.push(line);
  const fmt = n.toLocaleString('en-US');
  const sizes = users.slice(1).map((u) => u.count).sort((a, b) => a - b);
  say(`journal k-NN data: N=${fmt} rows x ${DIMS} dims, ${users.length} users (median ${pct(sizes, 50)}, p95 ${pct(sizes, 95)}, max ${sizes.at(-1)} entries; heavy user ${heavy.count}), ~3% soft-deleted`);

  progress(`knn: loading ${fmt} rows`);
  const store = await openStore({ kind: 'embedded', dataDir: null });
  try {
    const q = (text: string, values?: unknown[]) => store.pool.query(text, values);
    const loadMs = await load(store, rng, space, users);
    say(`journal k-NN load: ${fmt} rows in ${(loadMs / 1000).toFixed(1)} s (${((n / loadMs) * 1000).toFixed(0)} rows/s, multi-row INSERT of 1,000 via unnest)`);
    await q('ANALYZE journal_entries');

    // Query sets: a new "sentence" about one of the asker's topics.
    const typical = Array.from({ length: queries }, () => users[1 + Math.floor(rng() * (users.length - 1))]!);
    const perUser = typical.map((u) => ({ user: u.id, vec: space.sample(rng, u) }));
    const heavyQs = typical.map(() => ({ user: heavy.id, vec: space.sample(rng, heavy) }));
    const globalQs = typical.map((u) => ({ user: null, vec: space.sample(rng, u) }));

    progress('knn: exact queries');
    const exactUser = await run(store, perUser);
    const exactHeavy = await run(store, heavyQs);
    const exactGlobal = await run(store, globalQs);
    say(`journal k-NN exact, per user (median ${pct(sizes, 50)} entries/user, N=${fmt}): ${stats(exactUser.ms)}, recall@10 1.00`);
    say(`journal k-NN exact, heavy user (${heavy.count} entries, N=${fmt}): ${stats(exactHeavy.ms)}, recall@10 1.00`);
    say(`journal k-NN exact, global (N=${fmt}): ${stats(exactGlobal.ms)}, recall@10 1.00`);
    say(`  plan, exact per user: ${await planOf(store, perUser[0]!)}`);

    const plainInsert = await insertCost(store, rng, space, heavy, 50);
    say(`journal insert of one row, no HNSW index (N=${fmt}): ${stats(plainInsert)}`);

    // pgvector stores vectors EXTERNAL: a 2 KB vector always goes to the TOAST table, and an
    // exact scan fetches it from there row by row. Same rows with the vector kept in line:
    progress('knn: exact queries, STORAGE PLAIN copy');
    await q('CREATE TABLE journal_plain (LIKE journal_entries INCLUDING DEFAULTS INCLUDING INDEXES)');
    await q('ALTER TABLE journal_plain ALTER COLUMN embedding SET STORAGE PLAIN');
    await q('INSERT INTO journal_plain SELECT * FROM journal_entries');
    await q('ANALYZE journal_plain');
    const plainUser = await run(store, perUser, 'journal_plain');
    const plainHeavy = await run(store, heavyQs, 'journal_plain');
    say(`journal k-NN exact, embedding STORAGE PLAIN, per user: ${stats(plainUser.ms)}, recall@10 ${recall(plainUser.ids, exactUser.ids)}; heavy user: ${stats(plainHeavy.ms)}, recall@10 ${recall(plainHeavy.ids, exactHeavy.ids)}`);
    await q('DROP TABLE journal_plain');

    progress('knn: building HNSW');
    await q(`SET maintenance_work_mem = '${process.env.KNN_MWM ?? '1GB'}'`);
    const t0 = performance.now();
    await q('CREATE INDEX journal_embedding_hnsw_idx ON journal_entries USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)');
    const buildMs = performance.now() - t0;
    await q('ANALYZE journal_entries');
    const size = (await q(`SELECT pg_size_pretty(pg_relation_size('journal_embedding_hnsw_idx')) AS s, pg_size_pretty(pg_total_relation_size('journal_entries')) AS t`)).rows[0] as { s: string; t: string };
    say(`journal k-NN HNSW build (m=16, ef_construction=64, maintenance_work_mem ${process.env.KNN_MWM ?? '1GB'}): ${(buildMs / 1000).toFixed(1)} s, index ${size.s}, table+indexes ${size.t}`);

    const iterative = await supportsIterativeScan(store);
    say(`  pgvector ${(await q(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`)).rows[0]?.extversion}: hnsw.iterative_scan ${iterative ? 'supported' : 'NOT supported'}`);
    say(`  plan the planner picks with HNSW present, typical user: ${await planOf(store, perUser[0]!)}`);
    say(`  ... heavy user: ${await planOf(store, heavyQs[0]!)}; global: ${await planOf(store, globalQs[0]!)}`);
    for (const ef of [40, 100]) {
      progress(`knn: HNSW queries, ef_search ${ef}`);
      await q(`SET hnsw.ef_search = ${ef}`);
      // enable_sort = off leaves the HNSW scan as the only way to produce the order: force it.
      await q('SET enable_sort = off');
      const g = await run(store, globalQs);
      say(`journal k-NN HNSW ef_search=${ef}, forced, global: ${stats(g.ms)}, recall@10 ${recall(g.ids, exactGlobal.ids)}`);
      for (const mode of iterative ? ['off', 'relaxed_order', 'strict_order'] : ['off']) {
        if (iterative) await q(`SET hnsw.iterative_scan = ${mode}`);
        const u = await run(store, perUser);
        const h = await run(store, heavyQs);
        say(`journal k-NN HNSW ef_search=${ef}, forced, per user, iterative_scan=${mode}: ${stats(u.ms)}, recall@10 ${recall(u.ids, exactUser.ids)}, avg rows ${avgRows(u.ids)}`);
        say(`journal k-NN HNSW ef_search=${ef}, forced, heavy user, iterative_scan=${mode}: ${stats(h.ms)}, recall@10 ${recall(h.ids, exactHeavy.ids)}, avg rows ${avgRows(h.ids)}`);
      }
      await q('RESET enable_sort');
      if (iterative) await q('RESET hnsw.iterative_scan');
    }
    await q('RESET hnsw.ef_search');
    const u = await run(store, perUser);
    const h = await run(store, heavyQs);
    say(`journal k-NN with HNSW present, planner's choice, per user: ${stats(u.ms)}, recall@10 ${recall(u.ids, exactUser.ids)}; heavy user: ${stats(h.ms)}, recall@10 ${recall(h.ids, exactHeavy.ids)}`);

    const ins = await insertCost(store, rng, space, heavy, 50);
    say(`journal insert of one row with the HNSW index present (N=${fmt}): ${stats(ins)}`);
  } finally {
    await store.close();
  }
  return lines;
}

// ---- data ---------------------------------------------------------------------------------

interface User {
  id: string;
  count: number;
  topics: number[];
  /** Names, places, habits of phrase: what makes one person's entries a little alike. */
  style: number[];
}

type Rng = () => number;

function makeSpace(rng: Rng) {
  const TOPICS = 300;
  const SUBS = 4;
  const unit = () => randomUnit(rng);
  const common = unit();
  const topics = Array.from({ length: TOPICS }, unit);
  const subs = Array.from({ length: TOPICS * SUBS }, unit);
  // Squared weights: 0.15 common + 0.08 personal style + 0.27 topic + 0.12 subtopic + 0.38 noise.
  const [a, p, b, s, e] = [0.15, 0.08, 0.27, 0.12, 0.38].map(Math.sqrt) as [number, number, number, number, number];
  return {
    topicCount: TOPICS,
    sample(r: Rng, user: User): number[] {
      // Favourite topics first: a Zipf-like pick over the user's list.
      const t = user.topics[Math.min(user.topics.length - 1, Math.floor(user.topics.length * r() ** 2))]!;
      const sub = subs[t * SUBS + Math.floor(r() * SUBS)]!;
      const topic = topics[t]!;
      const v = new Array<number>(DIMS);
      const style = user.style;
      for (let i = 0; i < DIMS; i++) v[i] = a * common[i]! + p * style[i]! + b * topic[i]! + s * sub[i]! + (e * gauss(r)) / Math.sqrt(DIMS);
      return normalise(v);
    },
  };
}
type Space = ReturnType<typeof makeSpace>;

function makeUsers(rng: Rng, n: number, space: Space): User[] {
  // Some topics (sleep, work, family) are everyone's: popularity falls off steeply.
  const topics = () => Array.from({ length: 8 + Math.floor(rng() * 16) }, () => Math.floor(space.topicCount * rng() ** 2));
  const user = (count: number): User => ({ id: crypto.randomUUID(), count, topics: topics(), style: randomUnit(rng) });
  const heavy = Math.round(n * 0.1);
  const users: User[] = [user(heavy)];
  // Log-normal entries per user, median 150: most people write a few times a week for a year.
  for (let left = n - heavy; left > 0; ) {
    const count = Math.min(left, Math.max(5, Math.min(3000, Math.round(150 * Math.exp(gauss(rng))))));
    users.push(user(count));
    left -= count;
  }
  return users;
}

async function load(store: Store, rng: Rng, space: Space, users: User[]): Promise<number> {
  const t0 = performance.now();
  await store.pool.query(`INSERT INTO users (id, name, subject) SELECT id, 'bench', 'bench:' || id FROM unnest($1::uuid[]) AS id`, [users.map((u) => u.id)]);
  const BATCH = 1000;
  let rows: { user: string; vec: string; deleted: boolean; day: string }[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await store.pool.query(
      `INSERT INTO journal_entries (user_id, day, source, text, embedding, embedding_model, deleted_at)
       SELECT u, d, 'bench', repeat('x', 40 + (random() * 400)::int), e::vector, $5, CASE WHEN del THEN now() END
       FROM unnest($1::uuid[], $2::date[], $3::text[], $4::bool[]) AS t(u, d, e, del)`,
      [rows.map((r) => r.user), rows.map((r) => r.day), rows.map((r) => r.vec), rows.map((r) => r.deleted), MODEL],
    );
    rows = [];
  };
  for (const user of users) {
    for (let i = 0; i < user.count; i++) {
      const vec = `[${space.sample(rng, user).map((x) => x.toFixed(5)).join(',')}]`;
      const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(rng() * 2000) * 86_400_000).toISOString().slice(0, 10);
      rows.push({ user: user.id, vec, deleted: rng() < 0.03, day });
      if (rows.length === BATCH) await flush();
    }
  }
  await flush();
  return performance.now() - t0;
}

async function insertCost(store: Store, rng: Rng, space: Space, user: User, count: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await store.pool.query(`INSERT INTO journal_entries (user_id, day, source, embedding, embedding_model) VALUES ($1, '2026-01-01', 'bench-insert', $2::vector, $3)`, [
      user.id,
      JSON.stringify(space.sample(rng, user)),
      MODEL,
    ]);
    ms.push(performance.now() - t0);
  }
  // Out of the way of the recall figures, which compare against answers computed without them.
  await store.pool.query(`DELETE FROM journal_entries WHERE source = 'bench-insert'`);
  await store.pool.query('VACUUM journal_entries');
  return ms;
}

// ---- queries ------------------------------------------------------------------------------

interface Query {
  user: string | null;
  vec: number[];
}

function sqlFor(query: Query, table = 'journal_entries'): { text: string; values: unknown[] } {
  const scope = query.user ? 'user_id = $3 AND ' : '';
  return {
    text: `SELECT id FROM ${table} WHERE ${scope}deleted_at IS NULL AND embedding_model = $2 ORDER BY embedding <=> $1::vector LIMIT ${K}`,
    values: query.user ? [JSON.stringify(query.vec), MODEL, query.user] : [JSON.stringify(query.vec), MODEL],
  };
}

async function run(store: Store, qs: Query[], table?: string): Promise<{ ms: number[]; ids: string[][] }> {
  const ms: number[] = [];
  const ids: string[][] = [];
  await store.pool.query(sqlFor(qs[0]!, table).text, sqlFor(qs[0]!, table).values); // warm caches
  for (const query of qs) {
    const { text, values } = sqlFor(query, table);
    const t0 = performance.now();
    const res = await store.pool.query<{ id: string }>(text, values);
    ms.push(performance.now() - t0);
    ids.push(res.rows.map((r) => r.id));
  }
  return { ms, ids };
}

async function planOf(store: Store, query: Query): Promise<string> {
  const { text, values } = sqlFor(query);
  const res = await store.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
  return res.rows
    .map((r) => r['QUERY PLAN'].trim().replace(/^->\s*/, '').replace(/\s+\(cost=.*$/, ''))
    .filter((l) => /^(Limit|Sort(?! Key)|Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)\b/.test(l))
    .join(' > ');
}

/** pgvector >= 0.8 validates the value; older versions only see an unknown placeholder. */
async function supportsIterativeScan(store: Store): Promise<boolean> {
  try {
    await store.pool.query(`SET hnsw.iterative_scan = 'not-a-mode'`);
    await store.pool.query('RESET hnsw.iterative_scan');
    return false;
  } catch {
    return true;
  }
}

// ---- numbers ------------------------------------------------------------------------------

function recall(got: string[][], truth: string[][]): string {
  let hit = 0;
  let total = 0;
  got.forEach((ids, i) => {
    const want = new Set(truth[i]);
    total += want.size;
    hit += ids.filter((id) => want.has(id)).length;
  });
  return (total === 0 ? 1 : hit / total).toFixed(2);
}

const avgRows = (ids: string[][]) => (ids.reduce((s, r) => s + r.length, 0) / ids.length).toFixed(1);
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${pct(s, 50).toFixed(1)} ms, p95 ${pct(s, 95).toFixed(1)} ms`;
};
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const randomUnit = (rng: Rng) => normalise(Array.from({ length: DIMS }, () => gauss(rng)));

function normalise(v: number[]): number[] {
  const len = Math.hypot(...v);
  return v.map((x) => x / len);
}

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function mulberry32(seed: number): Rng {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Phase markers only (the figures are the return value): a long run should not look hung.
const progress = (line: string) => process.stderr.write(`${line}\n`);

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchKnn().then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
