import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { startPgliteWire } from './support/pglite-wire.js';

// The Postgres stand-in shared by the multi-process tests: one PGlite session, several clients.
// Each client must get the answers to its own statements and see its own transactions whole, as
// from a real server, however their messages arrive.
describe('the PGlite wire stand-in with several clients at once', () => {
  let pglite: PGlite;
  let wire: Awaited<ReturnType<typeof startPgliteWire>>;
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    pglite = await PGlite.create();
    await pglite.exec('create table counts (client int not null, n int not null)');
    wire = await startPgliteWire(pglite);
    for (let i = 0; i < 3; i++) {
      const pool = new pg.Pool({ connectionString: wire.url, max: 1 });
      pool.on('error', () => {}); // idle clients losing the server when the last test stops it
      pools.push(pool);
    }
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await wire?.close();
    await pglite?.close();
  });

  it('answers each client its own parameterised statements, and keeps transactions apart', async () => {
    const wrong: string[] = [];
    await Promise.all(
      pools.map(async (pool, client) => {
        for (let i = 0; i < 60; i++) {
          const { rows } = await pool.query<{ n: number; who: string }>('select $1::int as n, $2::text as who', [i, `client ${client}`]);
          if (rows[0]?.n !== i || rows[0]?.who !== `client ${client}`) wrong.push(`client ${client} asked ${i}, got ${JSON.stringify(rows)}`);
          const tx = await pool.connect();
          try {
            await tx.query('begin');
            await tx.query('insert into counts (client, n) values ($1, $2)', [client, i]);
            const seen = await tx.query<{ c: number }>('select count(*)::int as c from counts where client = $1', [client]);
            if (seen.rows[0]?.c !== i + 1) wrong.push(`client ${client} saw ${seen.rows[0]?.c} of its rows inside transaction ${i}`);
            await tx.query(i % 2 ? 'commit' : 'rollback');
          } finally {
            tx.release();
          }
          // A rolled-back row is written again outside a transaction, so the count stays i + 1.
          if (i % 2 === 0) await pool.query('insert into counts (client, n) values ($1, $2)', [client, i]);
        }
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('drops every connection when stopped, refuses new ones, and serves again on the same address', async () => {
    const pool = pools[0]!;
    await wire.stop();
    await expect(pool.query('select 1')).rejects.toThrow();
    await wire.start();
    expect((await pool.query<{ one: number }>('select 1 as one')).rows[0]?.one).toBe(1);
  });
});
