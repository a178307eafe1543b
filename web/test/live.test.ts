import type { LiveSource, StoredReading } from '@airbox/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ApiOptions, LiveMessage } from '../src/index.ts';
import { openEventStream } from '@airbox/testkit';
import { apiWith, iso, MINUTE_MS, reading, T0, WsClient } from './helpers.ts';

/** Stands in for the worker's LiveBus (ingest/src/worker/live.ts): same contract. */
class TestBus implements LiveSource {
  readonly listeners = new Set<(readings: StoredReading[]) => void>();
  subscribe(listener: (readings: StoredReading[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publish(readings: StoredReading[]): void {
    for (const l of this.listeners) l(readings);
  }
}

const NOW = T0 + 30 * MINUTE_MS;
let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

async function serve(readings: StoredReading[], opts: Partial<ApiOptions> = {}) {
  const bus = new TestBus();
  const made = await apiWith(readings, { live: bus, now: () => NOW, ...opts });
  app = made.app;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { ...made, bus, base: `127.0.0.1:${port}` };
}

/** A ws client whose messages queue up until the test takes them. */
function connect(url: string) {
  const ws = new WsClient(url);
  const queue: LiveMessage[] = [];
  const waiters: ((m: LiveMessage) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as LiveMessage;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  const next = () =>
    new Promise<LiveMessage>((resolve) => {
      const queued = queue.shift();
      if (queued) resolve(queued);
      else waiters.push(resolve);
    });
  return { ws, next, closed, queue };
}

const times = (m: LiveMessage) => m.readings.map((r) => `${r.deviceId}@${r.time.slice(11, 16)}`);

describe('GET /api/v1/live (WebSocket)', () => {
  it('sends a snapshot on connect, then the readings of the followed devices as they arrive', async () => {
    const { bus, base } = await serve([reading('a', T0), reading('b', T0)]);
    const client = connect(`ws://${base}/api/v1/live?device=a`);
    const snapshot = await client.next();
    expect(snapshot.type).toBe('snapshot');
    expect(times(snapshot)).toEqual(['a@00:00']);
    bus.publish([reading('a', T0 + MINUTE_MS), reading('b', T0 + MINUTE_MS)]);
    const tail = await client.next();
    expect(tail).toMatchObject({ type: 'readings' });
    expect(times(tail)).toEqual(['a@00:01']);
    client.ws.close();
  });

  it('filters by bbox on each reading’s own position', async () => {
    const { bus, base } = await serve([reading('a', T0)]);
    const client = connect(`ws://${base}/api/v1/live?bbox=120,22,121,23`);
    expect((await client.next()).readings).toEqual([]);
    bus.publish([
      reading('a', T0 + MINUTE_MS),
      reading('k', T0 + MINUTE_MS, { lat: 22.6, lon: 120.3 }),
    ]);
    expect(times(await client.next())).toEqual(['k@00:01']);
    client.ws.close();
  });

  it('re-syncs a reconnecting client from `since`, then the tail, sending nothing twice', async () => {
    const stored = [0, 10, 20].map((m) => reading('a', T0 + m * MINUTE_MS));
    const { bus, base, store } = await serve(stored);
    // While the re-sync is read, one new reading arrives and one already stored is re-published.
    const read = store.series.bind(store);
    vi.spyOn(store, 'series').mockImplementationOnce(async (q) => {
      bus.publish([reading('a', T0 + 10 * MINUTE_MS), reading('a', T0 + 25 * MINUTE_MS)]);
      return read(q);
    });
    const client = connect(`ws://${base}/api/v1/live?device=a&since=${iso(T0 + 5 * MINUTE_MS)}`);
    expect(times(await client.next())).toEqual(['a@00:20']); // snapshot
    const resync = await client.next();
    expect(resync).toMatchObject({
      type: 'resync',
      from: iso(T0 + 5 * MINUTE_MS),
      truncated: false,
    });
    expect(times(resync)).toEqual(['a@00:10']);
    const tail = await client.next();
    expect(tail.type).toBe('readings');
    expect(times(tail)).toEqual(['a@00:25']);
    client.ws.close();
  });

  it('bounds a re-sync in age and count and says it was truncated', async () => {
    const stored = Array.from({ length: 30 }, (_, m) => reading('a', T0 + m * MINUTE_MS));
    const { base } = await serve(stored, {
      liveLimits: { maxResyncReadings: 5, maxResyncMs: 20 * MINUTE_MS },
    });
    const client = connect(`ws://${base}/api/v1/live?device=a&since=${iso(T0)}`);
    await client.next();
    const resync = await client.next();
    expect(resync).toMatchObject({
      type: 'resync',
      from: iso(NOW - 20 * MINUTE_MS),
      truncated: true,
    });
    expect(times(resync)).toEqual(['a@00:10', 'a@00:11', 'a@00:12', 'a@00:13', 'a@00:14']);
    client.ws.close();
  });

  it('drops a client that stops reading (close 4008) and keeps serving the others', async () => {
    const {
      bus,
      base,
      app: api,
    } = await serve([reading('a', T0)], {
      liveLimits: { maxBufferedBytes: 64 * 1024 },
    });
    const slow = connect(`ws://${base}/api/v1/live`);
    const fast = connect(`ws://${base}/api/v1/live`);
    await slow.next();
    await fast.next();
    slow.ws.pause();
    const batch = Array.from({ length: 200 }, (_, i) => reading(`d${i}`, T0 + MINUTE_MS));
    const metric = async (name: string) =>
      Number(new RegExp(`^${name} (\\d+)$`, 'm').exec((await api.inject('/metrics')).body)?.[1]);
    let rounds = 0;
    while ((await metric('airbox_api_live_dropped_total')) === 0 && rounds < 2000) {
      bus.publish(batch);
      rounds += 1;
      await new Promise((r) => setImmediate(r));
    }
    expect(await metric('airbox_api_live_dropped_total')).toBe(1);
    expect(await metric('airbox_api_live_clients')).toBe(1);
    slow.ws.resume();
    const { code, reason } = await slow.closed;
    expect(code).toBe(4008);
    expect(reason).toMatch(/^slow consumer: over 65536 bytes unsent/);
    // The client that kept reading got every batch and is still connected.
    while (fast.queue.length < rounds) await new Promise((r) => setTimeout(r, 10));
    expect(fast.queue).toHaveLength(rounds);
    expect(fast.ws.readyState).toBe(fast.ws.OPEN);
    fast.ws.close();
  });

  it('refuses a bad query before the upgrade, with a 400', async () => {
    const { base } = await serve([]);
    const ws = new WsClient(`ws://${base}/api/v1/live?since=yesterday`);
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req: unknown, res: { statusCode: number }) =>
        resolve(res.statusCode),
      ),
    );
    expect(status).toBe(400);
  });

  it('answers a plain GET with 426, and 404 when the server has no live source', async () => {
    const { app: api } = await serve([]);
    const plain = await api.inject('/api/v1/live');
    expect(plain.statusCode).toBe(426);
    expect(plain.json()).toMatchObject({ error: { code: 'upgrade-required' } });
    const { app: bare } = await apiWith([]);
    expect((await bare.inject('/api/v1/live')).statusCode).toBe(404);
    expect((await bare.inject('/api/v1/live.sse')).json()).toMatchObject({
      error: { code: 'not-available' },
    });
  });
});

const openSse = (url: string, headers: Record<string, string> = {}) =>
  openEventStream<LiveMessage>(url, headers);

describe('GET /api/v1/live.sse', () => {
  it('streams the same messages, and re-syncs from Last-Event-ID', async () => {
    const { bus, base, store } = await serve([reading('a', T0)]);
    // As the worker does: store, then fan out.
    const arrive = async (r: StoredReading) => {
      await store.write([r]);
      bus.publish([r]);
    };
    const sse = await openSse(`http://${base}/api/v1/live.sse?device=a`, {
      origin: 'https://map.example',
    });
    expect(sse.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sse.res.headers['access-control-allow-origin']).toBe('*');
    await sse.take(1);
    await arrive(reading('a', T0 + MINUTE_MS));
    const [snapshot, tail] = await sse.take(2);
    expect(snapshot).toMatchObject({ event: 'snapshot', id: iso(T0) });
    expect(tail).toMatchObject({ event: 'readings', id: iso(T0 + MINUTE_MS) });
    expect(times(tail!.data)).toEqual(['a@00:01']);
    sse.close();

    // A browser's EventSource reconnects with the last id it saw as Last-Event-ID.
    const again = await openSse(`http://${base}/api/v1/live.sse?device=a`, {
      'last-event-id': iso(T0 - MINUTE_MS),
    });
    const [snap, resync] = await again.take(2);
    expect(times(snap!.data)).toEqual(['a@00:01']);
    expect(resync).toMatchObject({ event: 'resync', data: { from: iso(T0 - MINUTE_MS) } });
    expect(times(resync!.data)).toEqual(['a@00:00']); // 00:01 came in the snapshot
    again.close();
  });

  it('ends a slow stream with an end event naming code 4008', async () => {
    const { bus, base } = await serve([], { liveLimits: { maxBufferedBytes: 64 * 1024 } });
    const sse = await openSse(`http://${base}/api/v1/live.sse`);
    await sse.take(1);
    sse.res.pause();
    const batch = Array.from({ length: 200 }, (_, i) => reading(`d${i}`, T0 + MINUTE_MS));
    for (let i = 0; i < 2000 && bus.listeners.size > 0; i++) {
      bus.publish(batch);
      await new Promise((r) => setImmediate(r));
    }
    expect(bus.listeners.size).toBe(0); // unsubscribed: nothing more is queued for it
    sse.res.resume();
    await sse.ended;
    expect(sse.events.at(-1)).toMatchObject({
      event: 'end',
      data: { code: 4008, reason: 'slow consumer: over 65536 bytes unsent' },
    });
  });

  it('answers HEAD with the headers only', async () => {
    const { base } = await serve([reading('a', T0)]);
    const res = await fetch(`http://${base}/api/v1/live.sse`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('lets the server close while a stream is open', async () => {
    const { base, app: api } = await serve([reading('a', T0)]);
    const sse = await openSse(`http://${base}/api/v1/live.sse`);
    await sse.take(1);
    await api.close(); // would hang if the hijacked stream were left open
    app = null;
    await sse.ended;
  });
});
