import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, SaysoClient, SaysoError, type VoiceSessionEvents, type VoiceSession } from '../src/index.js';
import { startTestGateway } from './support/gateway.js';
import { until } from './support/until.js';

// A text-only voice session from Node (no mic, no audio): typed turns over /v1/voice, results as
// events, and client tools answered by this process as a page would.
describe('VoiceSession in Node: typed turns, client tools, undo', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let client: SaysoClient;
  const sessions: VoiceSession[] = [];

  const open = async (opts: Parameters<SaysoClient['voice']>[0] = {}) => {
    const voice = client.voice({ speakReplies: false, ...opts });
    sessions.push(voice);
    const results: Array<VoiceSessionEvents['result']> = [];
    const tools: Array<VoiceSessionEvents['tool']> = [];
    voice.on('result', (r) => results.push(r));
    voice.on('tool', (t) => tools.push(t));
    await voice.connect({ mic: false });
    return { voice, results, tools };
  };

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = await SaysoClient.signInLocal(gateway.gw.url, { WebSocket });
  });
  afterAll(async () => {
    for (const s of sessions) s.close();
    await gateway?.close();
  });

  it('a typed turn comes back as a result event, and the session ends idle', async () => {
    const { voice, results } = await open();
    expect(voice.state).toBe('idle');
    const states: string[] = [];
    voice.on('state', ({ state }) => states.push(state));
    voice.sendText('add water the plants to my garden list');
    await until(() => results.length === 1, 'the result');
    expect(results[0]!.outcome.status).toBe('done');
    const item = 'item' in results[0]!.outcome ? results[0]!.outcome.item! : undefined;
    expect(item?.kind).toBe('task');
    expect((await client.tasks.get(item!.id)).list).toBe('garden');
    await until(() => states.at(-1) === 'idle', 'the session to go idle');
    expect(states).toContain('thinking');
  });

  it("a client tool supplies what the person points at: the page's article becomes the task", async () => {
    const heard: string[] = [];
    const { results, tools } = await open({
      tools: [{
        name: 'current_article',
        description: 'Title and link of the article on screen',
        refersTo: ['this article', 'this page'],
        handler: ({ phrase }) => {
          heard.push(phrase);
          return { title: 'How Redis Streams work', url: 'https://example.com/redis-streams' };
        },
      }],
    });
    sessions.at(-1)!.sendText('Add this article to my reading list');
    await until(() => results.length === 1, 'the result');
    expect(heard).toEqual(['this article']);
    expect(tools).toEqual([expect.objectContaining({ name: 'current_article', ok: true })]);
    const outcome = results[0]!.outcome;
    expect(outcome.status).toBe('done');
    const task = await client.tasks.get('item' in outcome ? outcome.item!.id : '');
    expect(task).toMatchObject({ title: 'How Redis Streams work', list: 'reading', notes: 'https://example.com/redis-streams' });
    // What was said is shown as said, not as rewritten.
    expect(results[0]!.text).toBe('Add this article to my reading list');
  });

  it('a tool registered later is used; one that throws lets the turn go on with the words as said', async () => {
    const { voice, results, tools } = await open();
    const off = voice.registerTool({ name: 'selection', description: 'Selected text', refersTo: ['this'], handler: () => { throw new Error('nothing selected'); } });
    voice.sendText('remind me to reply to this tomorrow');
    await until(() => results.length === 1, 'the result');
    expect(tools).toEqual([expect.objectContaining({ name: 'selection', ok: false })]);
    expect(results[0]!.outcome.status).toBe('done');
    off();
    voice.registerTool({ name: 'selection', description: 'Selected text', refersTo: ['this'], handler: () => 'the quarterly report' });
    voice.sendText('remind me to reply to this tomorrow');
    await until(() => results.length === 2, 'the second result');
    const outcome = results[1]!.outcome;
    expect((await client.tasks.get('item' in outcome ? outcome.item!.id : '')).title.toLowerCase()).toContain('quarterly report');
  });

  it('undo takes back a created task and a check-in, and refuses what it cannot undo', async () => {
    const { voice, results } = await open();
    voice.sendText('add buy stamps to my errands list');
    await until(() => results.length === 1, 'the create');
    const created = results[0]!.outcome;
    await client.turns.undo(created);
    await expect(client.tasks.get('item' in created ? created.item!.id : '')).rejects.toBeInstanceOf(NotFoundError);

    const habit = await client.habits.create({ name: 'stretching' });
    voice.sendText('did my stretching');
    await until(() => results.length === 2, 'the check-in');
    expect((await client.habits.checkins(habit.id)).items).toHaveLength(1);
    await client.turns.undo(results[1]!.outcome);
    expect((await client.habits.checkins(habit.id)).items).toHaveLength(0);

    await expect(client.turns.undo({ status: 'failed' })).rejects.toThrow(/nothing to undo/);
    await expect(client.turns.undo({ status: 'failed' })).rejects.toBeInstanceOf(SaysoError);
  });

  it('says what to do when used wrongly', async () => {
    const voice = client.voice({ speakReplies: false });
    expect(() => voice.sendText('hello')).toThrow(/connect\(\)/);
    expect(() => voice.registerTool({ name: 'Bad Name', description: '', refersTo: [], handler: () => null })).toThrow(/lowercase/);
    const stranger = new SaysoClient({ baseUrl: gateway.gw.url, token: 'not-a-token', WebSocket }).voice({ speakReplies: false });
    const errors: string[] = [];
    stranger.on('error', (e) => errors.push(e.kind));
    await expect(stranger.connect({ mic: false })).rejects.toThrow(/Sign in again/);
    expect(errors).toEqual(['unauthorized']);
    expect(stranger.state).toBe('error');
  });
});
