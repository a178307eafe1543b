import type { RawMessage, RawSource, SequencedRawMessage } from '@airbox/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ApiOptions } from '../src/index.ts';
import { openEventStream } from '@airbox/testkit';
import { apiWith } from './helpers.ts';

/** Stands in for ingest's RawBus (ingest/src/broker/raw-bus.ts): same contract. */
class TestRawBus implements RawSource {
  private seq = 100;
  readonly kept: SequencedRawMessage[] = [];
  readonly listeners = new Map<string, Set<(m: SequencedRawMessage) => void>>();
  recentOf(deviceId: string, afterSeq = 0) {
    return this.kept.filter((m) => m.deviceId === deviceId && m.seq > afterSeq);
  }
  subscribe(deviceId: string, listener: (m: SequencedRawMessage) => void) {
    const set = this.listeners.get(deviceId) ?? new Set();
    this.listeners.set(deviceId, set);
    set.add(listener);
    return () => void set.delete(listener);
  }
  publish(m: RawMessage) {
    const sequenced = { ...m, seq: ++this.seq };
    this.kept.push(sequenced);
    for (const l of this.listeners.get(m.deviceId) ?? []) l(sequenced);
  }
  watchers(deviceId: string) {
    return this.listeners.get(deviceId)?.size ?? 0;
  }
}

const sent = (deviceId: string, text: string, outcome: RawMessage['outcome'] = 'stored') => ({
  deviceId,
  topic: `airbox/v1/${deviceId}/reading`,
  clientId: deviceId,
  receivedAt: '2026-11-27T09:00:00.000Z',
  bytes: Buffer.byteLength(text),
  text,
  truncated: false,
  outcome,
});

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/** The operator's token: the tail is its owner's and operators' (owner-routes.test.ts). */
const OPERATOR = { authorization: 'Bearer op-token' };

async function serve(opts: Partial<ApiOptions> = {}) {
  const bus = new TestRawBus();
  const made = await apiWith([], { raw: bus, operatorToken: 'op-token', ...opts });
  app = made.app;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { bus, app, url: (id: string) => `http://127.0.0.1:${port}/api/v1/devices/${id}/raw.sse` };
}

const texts = (events: { data: SequencedRawMessage }[]) => events.map((e) => e.data.text);

describe('GET /api/v1/devices/:id/raw.sse', () => {
  it("sends the box's kept messages, then each new one, and resumes after Last-Event-ID", async () => {
    const { bus, url } = await serve();
    bus.publish(sent('box-1', '{"pm25UgM3":1}'));
    bus.publish(sent('box-2', 'not mine'));
    bus.publish(sent('box-1', '<script>alert(1)</script>', 'dead-letter'));
    const tail = await openEventStream<SequencedRawMessage>(url('box-1'), {
      origin: 'https://maker.example',
      ...OPERATOR,
    });
    expect(tail.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(tail.res.headers['access-control-allow-origin']).toBe('*');
    // As sent, an undecodable message too: the tail is for those who may read its dead letters.
    const first = await tail.take(2);
    expect(texts(first)).toEqual(['{"pm25UgM3":1}', '<script>alert(1)</script>']);
    expect(first[1]!.data).toMatchObject({ outcome: 'dead-letter' });
    bus.publish(sent('box-2', 'still not mine'));
    bus.publish(sent('box-1', '{"pm25UgM3":3}'));
    const events = await tail.take(3);
    expect(events[2]).toMatchObject({
      event: 'message',
      id: String(events[2]!.data.seq),
      data: { deviceId: 'box-1', outcome: 'stored', text: '{"pm25UgM3":3}' },
    });
    const lastId = events[1]!.id!;
    tail.close();
    await tail.ended;
    await expect.poll(() => bus.watchers('box-1')).toBe(0);

    // EventSource reconnects with the last id it saw: only what came after it.
    const again = await openEventStream<SequencedRawMessage>(url('box-1'), {
      'last-event-id': lastId,
      ...OPERATOR,
    });
    expect(texts(await again.take(1))).toEqual(['{"pm25UgM3":3}']);
    again.close();
  });

  it('is refused to anyone without a claim on the box, with a coded 401', async () => {
    const { bus, url } = await serve();
    bus.publish(sent('box-1', '{"pm25UgM3":1}'));
    const asked: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-token' }];
    for (const headers of asked) {
      const res = await fetch(url('box-1'), { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'not-signed-in' } });
    }
    expect(bus.watchers('box-1')).toBe(0);
  });

  it('follows a box nothing was ever stored for; its operator sees refused text as sent', async () => {
    const { bus, url } = await serve();
    const tail = await openEventStream<SequencedRawMessage>(url('never-stored'), {
      authorization: 'Bearer op-token',
    });
    await expect.poll(() => bus.watchers('never-stored')).toBe(1);
    bus.publish(sent('never-stored', '{"pm25', 'refused'));
    expect((await tail.take(1))[0]!.data).toMatchObject({ outcome: 'refused', text: '{"pm25' });
    tail.close();
  });

  it('ends a slow reader with an end event naming code 4008', async () => {
    const { bus, url } = await serve({ liveLimits: { maxBufferedBytes: 64 * 1024 } });
    const tail = await openEventStream<SequencedRawMessage>(url('fast-box'), OPERATOR);
    await expect.poll(() => bus.watchers('fast-box')).toBe(1);
    tail.res.pause();
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 5000 && bus.watchers('fast-box') > 0; i++) {
      bus.publish(sent('fast-box', big));
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(bus.watchers('fast-box')).toBe(0);
    tail.res.resume();
    await tail.ended;
    expect(tail.events.at(-1)).toMatchObject({
      event: 'end',
      data: { code: 4008, reason: 'slow consumer: over 65536 bytes unsent' },
    });
  });

  it('answers 404 where there is no broker, 400 for a bad id, and lets the server close', async () => {
    const { app: bare } = await apiWith([]);
    const none = await bare.inject('/api/v1/devices/box-1/raw.sse');
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ error: { code: 'not-available' } });
    await bare.close();

    const { app: api, url } = await serve();
    const bad = await fetch(url('%3Cscript%3E'), { headers: OPERATOR });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad-path' } });
    const tail = await openEventStream<SequencedRawMessage>(url('box-1'), OPERATOR);
    await api.close(); // would hang if the hijacked stream were left open
    app = null;
    await tail.ended;
  });
});
