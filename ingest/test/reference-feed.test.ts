import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReferenceStations } from '@airbox/geo';
import { openSqliteStore } from '@airbox/store';
import { feedUrls, startReferenceFeed, StreamWorker, type ReferenceFeed } from '../src/index.ts';

/**
 * The feed against a real HTTP server on 127.0.0.1 that serves the AQX fixture, then fails
 * in each way a remote API can (500, a body that is not JSON, nothing listening), then
 * recovers. Intervals are milliseconds so the whole story runs in well under a second.
 */
const AQX = readFileSync(
  new URL('fixtures/reference/aqx-hourly-2017-sample.json', import.meta.url),
);
const KEY = 'c0ffee00-test-key-4b1d';
const stations = loadReferenceStations();

type Reply = 'ok' | '500' | 'bad-json';
interface Api {
  server: Server;
  port: number;
  requests: URL[];
  script: Reply[];
}

async function startApi(script: Reply[], port = 0): Promise<Api> {
  const api: Api = { server: createServer(), port, requests: [], script };
  api.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    api.requests.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    const reply = api.script.shift() ?? 'ok';
    if (reply === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end(AQX);
    // MOENV echoes the key back (`__extras.api_key`): it must not reach the log from here.
    else if (reply === '500') res.writeHead(500).end(`{"error":"overloaded","api_key":"${KEY}"}`);
    else res.writeHead(200).end('<html>maintenance</html>');
  });
  await new Promise<void>((resolve) => api.server.listen(port, '127.0.0.1', resolve));
  api.port = (api.server.address() as AddressInfo).port;
  return api;
}

function closeApi(api: Api): Promise<void> {
  return new Promise((resolve) => {
    api.server.close(() => resolve());
    api.server.closeAllConnections(); // keep-alive sockets would otherwise still answer
  });
}

async function until(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(api: Api) {
  const store = openSqliteStore({ path: ':memory:' });
  const worker = new StreamWorker({ store, now: () => Date.UTC(2017, 6, 16) });
  const logs: { event: string; fields: Record<string, unknown> }[] = [];
  const feed: ReferenceFeed = startReferenceFeed({
    url: `http://127.0.0.1:${api.port}/api/v2/aqx_p_432?format=JSON`,
    apiKey: KEY,
    intervalMs: 40,
    retryInitialMs: 10,
    retryMaxMs: 20,
    random: () => 0.5,
    worker,
    stations,
    log: (event, fields) => logs.push({ event, fields }),
  });
  cleanups.push(async () => {
    await feed.stop();
    await worker.drain();
    await store.close();
  });
  const events = (name: string) => logs.filter((l) => l.event === name);
  return { store, feed, logs, events };
}

describe('reference feed over HTTP', () => {
  it('survives 500, bad JSON and a dead server, and stores each reading once', async () => {
    const api = await startApi(['ok', '500', 'bad-json']);
    const { store, feed, logs, events } = setup(api);

    await until('two failed polls', () => events('reference-poll-failed').length >= 2);
    await closeApi(api);
    await until('a refused connection', () =>
      events('reference-poll-failed').some((l) =>
        String(l.fields['error']).includes('ECONNREFUSED'),
      ),
    );
    const restarted = await startApi([], api.port);
    cleanups.push(() => closeApi(restarted));
    await until('a poll after the outage', () => events('reference-poll').length >= 2);

    // every request carried the key; the log never did
    expect(api.requests[0]?.searchParams.get('api_key')).toBe(KEY);
    expect(api.requests[0]?.searchParams.get('format')).toBe('JSON');
    expect(JSON.stringify(logs)).not.toContain(KEY);
    const failed = events('reference-poll-failed').map((l) => l.fields);
    expect(failed[0]).toMatchObject({
      url: `http://127.0.0.1:${api.port}/api/v2/aqx_p_432?format=JSON&api_key=***`,
      error: expect.stringMatching(
        /^HTTP 500 Internal Server Error: \{"error":"overloaded","api_key":"\*\*\*"\}/,
      ),
      failures: 1,
      retryInMs: 10,
    });
    expect(failed[1]).toMatchObject({
      error: expect.stringContaining('the response is not JSON'),
      retryInMs: 20,
    });
    expect(failed.at(-1)?.['error']).toMatch(/fetch failed: connect ECONNREFUSED 127\.0\.0\.1/);

    // the first poll stored the 76 stations; every later one found them already there
    const polls = events('reference-poll').map((l) => l.fields);
    expect(polls[0]).toMatchObject({ records: 76, new: 76, duplicate: 0, rejected: 0 });
    expect(polls[1]).toMatchObject({ records: 76, new: 0, duplicate: 76 });
    await feed.stop();
    expect(await store.countReadings()).toBe(76);
    expect((await store.latest({ deviceIds: ['EPA-Longtan'] }))[0]?.pm25UgM3).toBe(20);
    expect(feed.counters).toMatchObject({ readingsStoredTotal: 76, consecutiveFailures: 0 });
    expect(feed.counters.pollFailuresTotal).toBeGreaterThanOrEqual(3);
    expect(feed.counters.pollsTotal).toBe(feed.counters.pollFailuresTotal + polls.length);
  });

  it('polls at start, then every interval, and stops cleanly', async () => {
    const api = await startApi([]);
    cleanups.push(() => closeApi(api));
    const { feed } = setup(api);
    await until('the first poll', () => api.requests.length === 1, 1000);
    await until('a second poll', () => api.requests.length === 2, 1000);
    await feed.stop();
    const seen = api.requests.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(api.requests.length).toBe(seen);
  });
});

describe('feed URL', () => {
  it('adds the key as api_key and shows it redacted', () => {
    expect(feedUrls('https://data.moenv.gov.tw/api/v2/aqx_p_432?format=JSON', 'k-1')).toEqual({
      request: new URL('https://data.moenv.gov.tw/api/v2/aqx_p_432?format=JSON&api_key=k-1'),
      shown: 'https://data.moenv.gov.tw/api/v2/aqx_p_432?format=JSON&api_key=***',
    });
    expect(feedUrls('http://127.0.0.1:1/x?api_key=inline').shown).toBe(
      'http://127.0.0.1:1/x?api_key=***',
    );
  });
});
