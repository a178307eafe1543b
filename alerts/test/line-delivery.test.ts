import { createServer, type Server } from 'node:http';
import { freePort } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { lineRetryKey, lineSender } from '../src/index.ts';
import { startRig, type Rig } from './fixtures/outbox.ts';
import { event, subscription } from './fixtures/subscriptions.ts';

/**
 * A stand-in for api.line.me that checks each request against LINE's documentation
 * (developers.line.biz: "Send push message", "Retry failed API requests"): POST
 * /v2/bot/message/push, Bearer token, JSON {to, messages: [{type: 'text', text ≤ 5000}]},
 * X-Line-Retry-Key a hexadecimal UUID; a retry key it accepted before gets 409.
 */
interface FakeLine {
  url: string;
  pushes: { to: string; text: string; retryKey: string }[];
  problems: string[];
  /** Accepts the next request but answers 500, as if the answer were lost. */
  loseNextAnswer: boolean;
  close(): Promise<void>;
}

const TOKEN = 'channel-access-token-123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function startFakeLine(): Promise<FakeLine> {
  const port = await freePort();
  const accepted = new Set<string>();
  const fake: FakeLine = {
    url: `http://127.0.0.1:${port}`,
    pushes: [],
    problems: [],
    loseNextAnswer: false,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const problem = (p: string) => {
        fake.problems.push(p);
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: p }));
      };
      if (req.method !== 'POST' || req.url !== '/v2/bot/message/push')
        return problem(`${req.method} ${req.url}`);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return problem('authorization');
      if (!req.headers['content-type']?.startsWith('application/json'))
        return problem('content-type');
      const retryKey = String(req.headers['x-line-retry-key'] ?? '');
      if (!UUID.test(retryKey)) return problem(`retry key ${retryKey}`);
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        to?: unknown;
        messages?: { type?: unknown; text?: unknown }[];
      };
      const [m] = body.messages ?? [];
      if (typeof body.to !== 'string' || body.messages?.length !== 1 || m?.type !== 'text')
        return problem('body shape');
      if (typeof m.text !== 'string' || [...m.text].length > 5000) return problem('text');
      if (accepted.has(retryKey)) {
        res
          .writeHead(409, {
            'content-type': 'application/json',
            'x-line-accepted-request-id': 'r1',
          })
          .end('{"message":"The retry key is already accepted"}');
        return;
      }
      accepted.add(retryKey);
      fake.pushes.push({ to: body.to, text: m.text, retryKey });
      if (fake.loseNextAnswer) {
        fake.loseNextAnswer = false;
        res.writeHead(500).end('{}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"sentMessages":[{"id":"1","quoteToken":"q"}]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

let line: FakeLine;
let rig: Rig;

afterEach(async () => {
  await rig?.close();
  await line?.close();
});

describe('LINE Messaging API push', () => {
  it('pushes a text message of the documented shape, once even when an answer is lost', async () => {
    line = await startFakeLine();
    rig = await startRig({ channels: { line: lineSender({ apiUrl: line.url, token: TOKEN }) } });
    const sub = subscription(
      'sub-l',
      { type: 'line', to: 'U4af4980629aaaaaaaaaaaaaaaaaaaaaaa' },
      { locale: 'en' },
    );
    line.loseNextAnswer = true;
    await rig.dispatcher.enqueue(event(sub, 1), sub);
    await rig.dispatcher.runOnce();
    expect(await rig.registry.alertOutbox.get('sub-l:alert:1')).toMatchObject({
      state: 'pending',
      attempts: 1,
    });
    rig.clock.ms += 30_000;
    await rig.dispatcher.runOnce();
    expect(line.problems).toEqual([]);
    expect(line.pushes).toHaveLength(1);
    expect(line.pushes[0]).toMatchObject({
      to: 'U4af4980629aaaaaaaaaaaaaaaaaaaaaaa',
      retryKey: lineRetryKey('sub-l:alert:1'),
    });
    expect(line.pushes[0]!.text).toContain(
      'PM2.5 at 中山國小 教室 3 is 62.4 µg/m³, above your threshold of 35 µg/m³',
    );
    expect(line.pushes[0]!.text).toContain('/alerts/unsubscribe?token=');
    expect(await rig.registry.alertOutbox.get('sub-l:alert:1')).toMatchObject({
      state: 'delivered',
    });
  });

  it('cuts a grouped message to LINE’s 5,000 characters', async () => {
    line = await startFakeLine();
    rig = await startRig({ channels: { line: lineSender({ apiUrl: line.url, token: TOKEN }) } });
    const sub = subscription('sub-g', { type: 'line', to: 'C1234' });
    const many = Array.from({ length: 300 }, (_, i) => `box-${'x'.repeat(40)}-${i}`);
    await rig.dispatcher.enqueue(
      event(sub, 1, { type: 'offline', kind: 'offline', deviceIds: many, targetLabel: '臺北市' }),
      sub,
    );
    await rig.dispatcher.runOnce();
    expect(line.problems).toEqual([]);
    expect(line.pushes[0]!.text).toContain('300 台設備離線：臺北市');
    expect(line.pushes[0]!.text).toContain('……另有 280 台');
  });

  it('derives a stable UUID retry key from the idempotency key', () => {
    expect(lineRetryKey('k')).toMatch(UUID);
    expect(lineRetryKey('k')).toBe(lineRetryKey('k'));
    expect(lineRetryKey('k')).not.toBe(lineRetryKey('k2'));
  });
});
