import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeProcess, tempDir, waitFor } from '@airbox/testkit';

/**
 * Alerts end to end: a subscription made through the API of a real `airbox serve`, a box
 * publishing over real MQTT, the events the evaluator hands to the outbox read from serve's
 * log (`alert-enqueued`; delivery takes them from there). One alert minute lasts a second
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

beforeAll(async () => {
  await serve.start();
});
afterAll(async () => {
  await serve.stop();
  dir.remove();
});

interface Session {
  cookie: string;
  csrfToken: string;
}

async function call(method: string, path: string, body: unknown, session?: Session) {
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

interface Enqueued {
  event: string;
  type: string;
  subscriptionId: string;
  deviceIds: string[];
  valueUgM3: number | null;
}

/** What serve handed to its outbox so far, for one subscription. */
function enqueued(subscriptionId: string): Enqueued[] {
  return serve
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"alert-enqueued"'))
    .map((l) => JSON.parse(l) as Enqueued)
    .filter((e) => e.subscriptionId === subscriptionId);
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
    const channel = { type: 'webhook', url: 'http://127.0.0.1:9/hook' };
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
  }, 60_000);
});
