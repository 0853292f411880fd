// Serves index.html on http://localhost:8080 with a publishable key for that origin, so the
// widget runs as it would on your own site.
//   npm start                                      (the gateway, in another terminal)
//   npm run script-tag -w @sayso/examples          then open http://localhost:8080
// SAYSO_URL (default http://localhost:8787), PORT (default 8080), SAYSO_KEY (an existing pk_...).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const server = process.env.SAYSO_URL ?? 'http://localhost:8787';
const port = Number(process.env.PORT ?? 8080);
const origin = `http://localhost:${port}`;

async function call(method, path, body, token) {
  const res = await fetch(server + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${json.error?.message ?? res.status}`);
  return json;
}

let key = process.env.SAYSO_KEY;
if (!key) {
  // The site owner's one-time setup: sign in and make a key for this origin.
  const { token } = await call('POST', '/v1/auth/local', { ...(process.env.SAYSO_LOCAL_PASSWORD ? { password: process.env.SAYSO_LOCAL_PASSWORD } : {}) });
  ({ key } = await call('POST', '/v1/keys', { origins: [origin], label: 'script-tag example' }, token));
  console.log(`made publishable key ${key} for ${origin}`);
}
const page = (await readFile(new URL('./index.html', import.meta.url), 'utf8')).replaceAll('{{SERVER}}', server).replaceAll('{{KEY}}', key);
createServer((req, res) => {
  if (req.url === '/' || req.url?.startsWith('/?')) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  else res.writeHead(404).end();
}).listen(port, () => console.log(`open ${origin} (widget from ${server})`));
