import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ServeProcess, tempDir, waitFor } from '@airbox/testkit';

/**
 * Alerts end to end: a subscription made through the API of a real `airbox serve`, a box
 * publishing over real MQTT, and what a webhook receiver on 127.0.0.1 gets from serve's
 * outbox: signed JSON, one idempotency key each. One alert minute lasts a second
 * (--alert-minute-ms), and the box dates its readings, so an hour of air passes in seconds.
 */
const MINUTE_MS = 1_000;
const dir = tempDir('alerts-serve');
const serve = new ServeProcess(dir.path, [
  '--no-refit',
  '--webhook-allow-private',
  '--alert-minute-ms',
  String(MINUTE_MS),
]);

interface Delivered {
  key: string;
  type: string;
  subscriptionId: string;
  deviceIds: string[];
  valueUgM3: number | null;
}

/** Everything the receiver was sent: the raw body and its two headers. */
const received: { raw: string; signature: string; delivery: string; body: Delivered }[] = [];
let receiver: Server;
let hookUrl = '';

beforeAll(async () => {
  const port = await freePort();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      received.push({
        raw,
        signature: String(req.headers['x-airbox-signature']),
        delivery: String(req.headers['x-airbox-delivery']),
        body: JSON.parse(raw) as Delivered,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${port}/hook`;
  await serve.start();
});
afterAll(async () => {
  await serve.stop();
  await new Promise((r) => receiver.close(r));
  dir.remove();
});

interface Session {
  cookie: string;
  csrfToken: string;
}

async function call(method: string, path: string, body: unknown, session?: Session | null) {
  const res = await fetch(serve.httpUrl(path), {
    method,
    headers: {
      'content-type': 'application/json',
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}),
    },
    body: JSON.stringify(body),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie };
}

async function restart(pauseMs: number): Promise<void> {
  await serve.stop();
  await new Promise((r) => setTimeout(r, pauseMs));
  await serve.start();
}

/** What the receiver got so far for one subscription, in the order it got it. */
function enqueued(subscriptionId: string): Delivered[] {
  return received.map((r) => r.body).filter((e) => e.subscriptionId === subscriptionId);
}

const types = (id: string) => enqueued(id).map((e) => e.type);

describe('alerts through airbox serve', () => {
  it('a box crossing the threshold: one alert, none while above, one clear, one offline when it stops', async () => {
    const signUp = await call('POST', '/api/v1/accounts', {
      email: 'school@example.org',
      password: 'a long enough passphrase',
      displayName: 'School',
    });
    const session = { cookie: signUp.cookie, csrfToken: String(signUp.body['csrfToken']) };
    const box = await call(
      'POST',
      '/api/v1/me/devices',
      { deviceId: 'yard-1', name: 'Schoolyard', lat: 25.03, lon: 121.56 },
      session,
    );
    expect(box.status).toBe(201);
    const channel = { type: 'webhook', url: hookUrl };
    const threshold = await call(
      'POST',
      '/api/v1/me/alerts',
      {
        target: { deviceId: 'yard-1' },
        kind: 'threshold',
        thresholdUgM3: 35,
        forMinutes: 1,
        channel,
      },
      session,
    );
    expect(threshold.status).toBe(201);
    const thresholdId = String(threshold.body['id']);
    // The evaluator reloads subscriptions every half alert minute.
    await new Promise((r) => setTimeout(r, MINUTE_MS));

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.ports!.mqtt}`, {
      username: String(box.body['username']),
      password: String(box.body['password']),
      clientId: 'yard-1',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const topic = String(box.body['topic']);
    const now = Date.now();
    const publish = async (ago: number, seconds: number[], pm25UgM3: number) => {
      for (const s of seconds) {
        const time = new Date(now - ago + s * 1000).toISOString().slice(0, 19) + 'Z';
        await client.publishAsync(topic, JSON.stringify({ time, pm25UgM3 }), { qos: 1 });
      }
    };

    // 90 minutes ago, five readings two seconds apart at 80 µg/m³: above for two alert minutes.
    await publish(90 * 60_000, [0, 2, 4], 80);
    await waitFor('the alert', () => types(thresholdId).length > 0, 10_000);
    await publish(90 * 60_000, [6, 8, 10, 12], 85);
    const offline = await call(
      'POST',
      '/api/v1/me/alerts',
      { target: { deviceId: 'yard-1' }, kind: 'offline', offlineAfterMinutes: 3, channel },
      session,
    );
    const offlineId = String(offline.body['id']);
    // 20 minutes ago: the high readings have left the hour, the mean is clean.
    await publish(20 * 60_000, [0, 2, 4], 5);
    await waitFor('the clear', () => types(thresholdId).length > 1, 10_000);
    await publish(20 * 60_000, [6, 8, 10], 5);
    expect(types(thresholdId)).toEqual(['alert', 'clear']);
    expect(enqueued(thresholdId)[0]).toMatchObject({ deviceIds: ['yard-1'], valueUgM3: 80 });

    await client.endAsync();
    await waitFor('the offline event', () => types(offlineId).length > 0, 15_000);
    // Two more alert minutes: still one offline, and the threshold alert said nothing more.
    await new Promise((r) => setTimeout(r, 2 * MINUTE_MS));
    expect(types(offlineId)).toEqual(['offline']);
    expect(types(thresholdId)).toEqual(['alert', 'clear']);
    // Each signed with its subscription's secret, each key once.
    const secret = String(threshold.body['secret']);
    for (const r of received.filter((m) => m.body.subscriptionId === thresholdId)) {
      const hmac = createHmac('sha256', secret).update(r.raw).digest('hex');
      expect(r.signature).toBe(`sha256=${hmac}`);
      expect(r.delivery).toBe(r.body.key);
    }
    expect(new Set(received.map((r) => r.delivery)).size).toBe(received.length);
  }, 60_000);
});

describe('alerts across a restart of airbox serve', () => {
  it('no offline storm for the time the server was down, no second alert for an ongoing episode', async () => {
    const signUp = await call('POST', '/api/v1/accounts', {
      email: 'district@example.org',
      password: 'a long enough passphrase',
      displayName: 'District',
    });
    const session = { cookie: signUp.cookie, csrfToken: String(signUp.body['csrfToken']) };
    const org = await call('POST', '/api/v1/orgs', { name: 'District', kind: 'school' }, session);
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    const orgId = String(org.body['id']);
    const boxes: { id: string; username: string; password: string; topic: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const id = `room-${String(i).padStart(2, '0')}`;
      const b = await call(
        'POST',
        '/api/v1/me/devices',
        { deviceId: id, name: id, orgId, lat: 25.03, lon: 121.56 },
        session,
      );
      expect(b.status, JSON.stringify(b.body)).toBe(201);
      boxes.push({
        id,
        username: String(b.body['username']),
        password: String(b.body['password']),
        topic: String(b.body['topic']),
      });
    }
    const channel = { type: 'webhook', url: hookUrl };
    const subscribe = async (body: Record<string, unknown>) =>
      String(
        (
          await call(
            'POST',
            '/api/v1/me/alerts',
            { orgId, target: { orgId }, channel, ...body },
            session,
          )
        ).body['id'],
      );
    const offlineId = await subscribe({ kind: 'offline', offlineAfterMinutes: 3 });
    const thresholdId = await subscribe({ kind: 'threshold', thresholdUgM3: 35, forMinutes: 1 });
    await new Promise((r) => setTimeout(r, MINUTE_MS));

    /** Every box publishes once, dated `ago` ms back, then they disconnect together. */
    const publishAll = async (ago: number, pm25UgM3: number) => {
      const time = new Date(Date.now() - ago).toISOString().slice(0, 19) + 'Z';
      // Connected one after another: many CONNECTs at once from one address are throttled.
      const clients = [];
      for (const b of boxes) {
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.ports!.mqtt}`, {
          username: b.username,
          password: b.password,
          clientId: b.id,
          protocolVersion: 4,
          reconnectPeriod: 0,
        });
        clients.push({ client, topic: b.topic });
      }
      const payload = JSON.stringify({ time, pm25UgM3 });
      await Promise.all(clients.map((c) => c.client.publishAsync(c.topic, payload, { qos: 1 })));
      await Promise.all(clients.map((c) => c.client.endAsync()));
    };
    await publishAll(10 * 60_000, 90);
    await publishAll(9 * 60_000, 90);
    await waitFor('20 alerts, one per box', () => types(thresholdId).length === 20, 10_000);

    // Down for five alert minutes, longer than offlineAfterMinutes: not the boxes' fault.
    await restart(5 * MINUTE_MS);
    await publishAll(8 * 60_000, 90);
    await new Promise((r) => setTimeout(r, 2 * MINUTE_MS));
    expect(types(offlineId)).toEqual([]);
    expect(types(thresholdId)).toHaveLength(20);

    // Now they all go quiet: one grouped message naming the twenty.
    await waitFor('the grouped offline event', () => types(offlineId).length > 0, 15_000);
    await new Promise((r) => setTimeout(r, MINUTE_MS));
    expect(enqueued(offlineId).map((e) => e.deviceIds)).toEqual([boxes.map((b) => b.id)]);
    // The restart sent nothing twice.
    expect(new Set(received.map((r) => r.delivery)).size).toBe(received.length);
  }, 90_000);
});
