// Signs in to a running gateway, creates a task, says something in text, and prints live updates.
//   npm start                                   (in another terminal)
//   npm run node-sdk -w @sayso/examples         (SAYSO_URL=http://host:port to point elsewhere)
// `--once` exits after the task's own live event arrives (used by the tests).
import WebSocket from 'ws';
import { SaysoClient, type LiveEvent } from '@sayso/sdk';

const baseUrl = process.env['SAYSO_URL'] ?? 'http://localhost:8787';
const once = process.argv.includes('--once');

const client = await SaysoClient.signInLocal(baseUrl, { WebSocket, ...(process.env['SAYSO_LOCAL_PASSWORD'] ? { password: process.env['SAYSO_LOCAL_PASSWORD'] } : {}) });
console.log(`signed in as ${client.session!.user.name}`);

let createdId: string | undefined;
const seenTasks = new Set<string>();
const stopOnce = () => {
  if (once && createdId && seenTasks.has(createdId)) {
    sub.close();
    process.exit(0);
  }
};
const sub = client.live({
  onEvent: (e: LiveEvent) => {
    console.log(`live #${e.id} ${e.type} ${describe(e)}`);
    if (e.type === 'task_update') seenTasks.add(e.data.task.id);
    stopOnce();
  },
  onStateChange: (state) => console.log(`live: ${state}`),
  onError: (err) => {
    console.error(err.message);
    process.exit(1);
  },
});

await new Promise<void>((resolve) => {
  const check = setInterval(() => sub.state === 'open' && (clearInterval(check), resolve()), 20);
});
const task = await client.tasks.create({ title: 'Try Sayso from Node', list: 'inbox' });
createdId = task.id;
console.log(`created task ${task.id}`);
stopOnce(); // its live event may have come before the REST answer
if (!once) {
  const turn = await client.turns.say('what is on my list today?');
  console.log(`said: "what is on my list today?" -> ${turn.reply ?? '(still thinking)'}`);
  console.log('watching live updates; press Ctrl-C to stop');
}

function describe(e: LiveEvent): string {
  switch (e.type) {
    case 'task_update': return `${e.data.op} "${e.data.task.title}"`;
    case 'journal_update': return `${e.data.op} entry ${e.data.entry.id}`;
    case 'habit_update': return `${e.data.op} "${e.data.habit.name}"`;
    case 'checkin_update': return `${e.data.op} check-in ${e.data.checkin.day}`;
    case 'voice_transcript': return `${e.data.final ? 'final' : 'interim'} transcript`;
    case 'turn_result': return `reply "${e.data.reply}"`;
    default: return '';
  }
}
