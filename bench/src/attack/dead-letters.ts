/**
 * The API side, after refused-publishes filled the table: who may read dead letters reads
 * as much as the API gives, at once — the operator (bearer token) walks every page of the
 * largest size, several walks in parallel; each refused box reads its own letters; and the
 * same number of requests without credentials are refused. A page is bounded (500 letters,
 * 1 KiB previews) and streamed, so this measures what those bounds cost.
 */
import type { Credentials } from '@airbox/registry';
import { z } from 'zod';
import { refusedPublishes } from './publishes.ts';
import type { Attack, AttackTarget } from './types.ts';

/** What a walk of pages saw. */
interface Walk {
  pages: number;
  letters: number;
  bytes: number;
  statuses: Set<number | 'error'>;
  slowestMs: number;
}

const Page = z.object({ deadLetters: z.array(z.unknown()), next: z.number().nullable() });

/** One GET, its body read; its status, size, time and the page (when it was one). */
async function getPage(url: string, headers: Record<string, string>, deadlineMs: number) {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(Math.max(1000, deadlineMs - Date.now())),
    });
    const text = await res.text();
    const page = res.ok ? Page.safeParse(JSON.parse(text)) : null;
    return {
      status: res.status,
      bytes: text.length,
      ms: performance.now() - t0,
      page: page?.success ? page.data : null,
    };
  } catch {
    return { status: 'error' as const, bytes: 0, ms: performance.now() - t0, page: null };
  }
}

/** Follows `next` from the newest page to the last, or until the deadline. */
async function walkPages(
  base: string,
  headers: Record<string, string>,
  deadlineMs: number,
): Promise<Walk> {
  const walk: Walk = { pages: 0, letters: 0, bytes: 0, statuses: new Set(), slowestMs: 0 };
  let before: number | null = null;
  do {
    const url: string = before === null ? base : `${base}&before=${before}`;
    const answer = await getPage(url, headers, deadlineMs);
    walk.pages++;
    walk.bytes += answer.bytes;
    walk.statuses.add(answer.status);
    walk.slowestMs = Math.max(walk.slowestMs, answer.ms);
    walk.letters += answer.page?.deadLetters.length ?? 0;
    before = answer.page?.next ?? null;
  } while (before !== null && Date.now() < deadlineMs);
  return walk;
}

function total(walks: Walk[]) {
  const statuses = new Set(walks.flatMap((w) => [...w.statuses]));
  return {
    pages: walks.reduce((n, w) => n + w.pages, 0),
    letters: walks.reduce((n, w) => n + w.letters, 0),
    mb: walks.reduce((n, w) => n + w.bytes, 0) / 1e6,
    statuses: [...statuses].join('/'),
    slowestMs: Math.round(Math.max(0, ...walks.map((w) => w.slowestMs))),
  };
}

const basic = (c: Credentials) =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

export const deadLetters: Attack = {
  name: 'dead-letters',
  title: (s) =>
    `dead-letter pages of ${s.deadLetterLimit} after refused-publishes: ${s.deadLetterRequests} operator walks of every page at once, ${s.deadLetterRequests} boxes reading their own, ${s.deadLetterRequests} requests without credentials`,
  serveArgs: refusedPublishes.serveArgs,
  after: 'refused-publishes',
  async run({ ports, sizes, deadlineMs, logins }: AttackTarget) {
    const api = `http://127.0.0.1:${ports.http}/api/v1`;
    const n = sizes.deadLetterRequests;
    const all = `${api}/dead-letters?limit=${sizes.deadLetterLimit}`;
    const operator = { Authorization: `Bearer ${logins.operatorToken}` };
    const boxes = logins.refusers.slice(0, n);
    const [operatorWalks, boxWalks, anonymous] = await Promise.all([
      Promise.all(Array.from({ length: n }, () => walkPages(all, operator, deadlineMs))),
      Promise.all(
        boxes.map((box) =>
          walkPages(
            `${api}/devices/${box.deviceId}/dead-letters?limit=${sizes.deadLetterLimit}`,
            { Authorization: basic(box) },
            deadlineMs,
          ),
        ),
      ),
      Promise.all(Array.from({ length: n }, () => getPage(all, {}, deadlineMs))),
    ]);
    const op = total(operatorWalks);
    const own = total(boxWalks);
    const refused = anonymous.filter((a) => a.status === 401).length;
    return {
      said:
        `operator: ${op.pages} pages, ${op.letters} letters, ${op.mb.toFixed(1)} MB (${op.statuses}), slowest ${op.slowestMs} ms; ` +
        `${boxes.length} boxes: ${own.pages} pages, ${own.letters} letters (${own.statuses}); ` +
        `${refused} of ${anonymous.length} without credentials refused (401)`,
      details: {
        operatorPages: op.pages,
        operatorLetters: op.letters,
        operatorMb: Math.round(op.mb * 10) / 10,
        operatorStatuses: op.statuses,
        boxPages: own.pages,
        boxLetters: own.letters,
        boxStatuses: own.statuses,
        anonymousRefused: refused,
        anonymousRequests: anonymous.length,
        slowestMs: Math.max(op.slowestMs, own.slowestMs),
      },
    };
  },
};
