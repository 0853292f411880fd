import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { JournalService } from '../../domain/journal.js';
import {
  IdParams, JournalCreate, JournalEntryOut, JournalListQuery, JournalPatch, JournalSearchQuery, pageOf, SearchHitOut,
} from '../../domain/schemas.js';
import { defineRoute, expectedVersion } from '../route.js';
import { replayable } from './tasks.js';

export function journalRoutes(router: Router, registry: OpenAPIRegistry, journal: JournalService): void {
  const tag = 'Journal';
  defineRoute(router, registry, {
    method: 'get', path: '/v1/journal', tag, summary: 'List journal entries, newest first.',
    query: JournalListQuery,
    ok: { status: 200, schema: pageOf(JournalEntryOut), description: 'A page of entries.' },
    handle: async ({ userId, query }) => ({ body: await journal.list(userId, query) }),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/journal/search', tag,
    summary: 'Entries closest in meaning to `q` (semantic search). Encrypted entries are not searched on the server.',
    query: JournalSearchQuery,
    ok: { status: 200, schema: z.object({ items: z.array(SearchHitOut) }), description: 'Best matches first.' },
    handle: async ({ userId, query }) => ({ body: { items: await journal.search(userId, query.q, query.limit) } }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/journal', tag,
    summary: 'Write an entry: `text`, or `ciphertext` + `iv` + `keyId` when encrypted on the client.',
    body: JournalCreate, idempotent: true,
    ok: { status: 201, schema: JournalEntryOut, description: 'The new entry.' },
    handle: async ({ ctx, body, res }) => replayable(res, await journal.create(ctx, body)),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/journal/:id', tag, summary: 'Get one entry.',
    params: IdParams,
    ok: { status: 200, schema: JournalEntryOut, description: 'The entry.' },
    handle: async ({ userId, params }) => ({ body: await journal.get(userId, params.id) }),
  });
  defineRoute(router, registry, {
    method: 'patch', path: '/v1/journal/:id', tag, summary: 'Change an entry (send the version you last saw).',
    params: IdParams, body: JournalPatch,
    ok: { status: 200, schema: JournalEntryOut, description: 'The updated entry.' },
    handle: async ({ ctx, params, body, ifMatch }) => {
      const version = expectedVersion(body.version, ifMatch);
      return { body: (await journal.update(ctx, params.id, { ...body, ...(version === undefined ? {} : { version }) })).value };
    },
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/journal/:id', tag, summary: 'Delete an entry; its text is erased.',
    params: IdParams,
    ok: { status: 200, schema: JournalEntryOut, description: 'The deleted entry (without its text).' },
    handle: async ({ ctx, params, ifMatch }) => ({ body: (await journal.remove(ctx, params.id, ifMatch)).value }),
  });
}
