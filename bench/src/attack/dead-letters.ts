/**
 * The API side: the largest page of dead letters the API gives, asked for several times at
 * once after refused-publishes filled the table. Each answer carries every payload twice
 * (base64 and text), so the server builds it in memory before it sends it.
 */
import { refusedPublishes } from './publishes.ts';
import type { Attack, AttackTarget } from './types.ts';

interface Answer {
  status: number | 'error';
  bytes: number;
  ms: number;
}

/** One GET, its body read and counted (not kept), with its status and time. */
async function getCounted(url: string, deadlineMs: number): Promise<Answer> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(Math.max(1000, deadlineMs - Date.now())),
    });
    let bytes = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const part = await reader?.read();
      if (part === undefined || part.done) break;
      bytes += part.value.length;
    }
    return { status: res.status, bytes, ms: Math.round(performance.now() - t0) };
  } catch {
    return { status: 'error', bytes: 0, ms: Math.round(performance.now() - t0) };
  }
}

/** 401 or 403: the route wants an operator's token, and the request was refused. */
const refused = (a: Answer) => a.status === 401 || a.status === 403;

export const deadLetters: Attack = {
  name: 'dead-letters',
  title: (s) =>
    `GET /api/v1/dead-letters?limit=${s.deadLetterLimit}, ${s.deadLetterRequests} at once, after refused-publishes`,
  serveArgs: refusedPublishes.serveArgs,
  after: 'refused-publishes',
  async run({ ports, sizes, deadlineMs }: AttackTarget) {
    const url = `http://127.0.0.1:${ports.http}/api/v1/dead-letters?limit=${sizes.deadLetterLimit}`;
    const answers = await Promise.all(
      Array.from({ length: sizes.deadLetterRequests }, () => getCounted(url, deadlineMs)),
    );
    const words = answers.map((a) =>
      refused(a) ? `refused (${a.status})` : `${a.status}, ${(a.bytes / 1e6).toFixed(1)} MB`,
    );
    return {
      said: `${answers.length} requests: ${words.join('; ')}; slowest ${Math.max(...answers.map((a) => a.ms))} ms`,
      details: {
        requests: answers.length,
        limit: sizes.deadLetterLimit,
        refused: answers.filter(refused).length,
        statuses: answers.map((a) => a.status).join(','),
        maxBytes: Math.max(...answers.map((a) => a.bytes)),
        slowestMs: Math.max(...answers.map((a) => a.ms)),
      },
    };
  },
};
