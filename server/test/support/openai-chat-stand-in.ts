import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in saw of one `POST /v1/chat/completions`. */
export interface SeenChatRequest {
  authorization: string | undefined;
  body: {
    model: string;
    messages: Array<{ role: string; content: string }>;
    tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
    tool_choice?: unknown;
    parallel_tool_calls?: boolean;
    temperature?: number;
    stream?: boolean;
  };
}

/** One scripted answer. */
export type ChatReply =
  /** A tool call; `args` is sent as JSON, or as is when it is a string (to send broken JSON). */
  | { tool: string; args: unknown }
  /** A plain assistant message, no tool call. */
  | { content: string }
  /** An OpenAI-shaped error body with this status. */
  | { status: number; code: string }
  /** Say nothing for this long (longer than the client's timeout), then answer `none`. */
  | { hangMs: number };

export interface ChatStandIn {
  /** Pass as `baseURL` to the SDK. */
  baseURL: string;
  requests: SeenChatRequest[];
  /** Answers the next requests with these, in order. */
  script(...replies: ChatReply[]): void;
  /** Answers any request nothing is scripted for; by default a `none` tool call. */
  answer: (request: SeenChatRequest['body']) => ChatReply;
  close(): Promise<void>;
}

/** The text of the last user message of a request: what the person said. */
export const said = (body: SeenChatRequest['body']): string => body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';

/**
 * A local server speaking OpenAI's chat completions protocol (non-streaming JSON), for driving
 * the real SDK through `baseURL`. It records every request and answers with scripted tool calls,
 * messages, errors or silence.
 */
export async function startChatStandIn(): Promise<ChatStandIn> {
  const requests: SeenChatRequest[] = [];
  const queue: ChatReply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let calls = 0;

  const standIn: ChatStandIn = {
    baseURL: '',
    requests,
    script: (...replies) => void queue.push(...replies),
    answer: () => ({ tool: 'none', args: { reason: 'stand-in default' } }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => respond(req, res, raw));
  });

  function respond(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const send = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}` });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return send(404, { error: { message: 'Not found', type: 'invalid_request_error', param: null, code: null } });
    }
    const body = JSON.parse(raw) as SeenChatRequest['body'];
    requests.push({ authorization: req.headers.authorization, body });
    const reply = queue.shift() ?? standIn.answer(body);
    if ('hangMs' in reply) {
      const timer = setTimeout(() => (timers.delete(timer), send(200, completion(body.model, { tool: 'none', args: {} }, ++calls))), reply.hangMs);
      timers.add(timer);
      return;
    }
    if ('status' in reply) {
      const type = reply.status === 401 ? 'invalid_request_error' : reply.status === 429 ? 'requests' : 'server_error';
      return send(reply.status, { error: { message: `stand-in ${reply.code}`, type, param: null, code: reply.code } });
    }
    send(200, completion(body.model, reply, ++calls));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return standIn;
}

function completion(model: string, reply: { tool: string; args: unknown } | { content: string }, n: number) {
  const message =
    'tool' in reply
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: `call_${n}`,
              type: 'function',
              function: { name: reply.tool, arguments: typeof reply.args === 'string' ? reply.args : JSON.stringify(reply.args) },
            },
          ],
        }
      : { role: 'assistant', content: reply.content };
  return {
    id: `chatcmpl-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: 'tool' in reply ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}
