import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeProcess, tempDir, waitFor } from '@airbox/testkit';

/**
 * `airbox serve` hands the API its registry: a maker signs up, registers a box and the box
 * connects with what the answer printed — at once, not at the registry view's next poll —
 * and a rotation through the API cuts off the old login. Real process, real sockets.
 */
const dir = tempDir('accounts-serve');
const serve = new ServeProcess(dir.path, ['--no-refit']);

interface Answer {
  status: number;
  body: Record<string, unknown>;
  cookie: string | null;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  session?: { cookie: string; csrfToken: string },
): Promise<Answer> {
  const res = await fetch(serve.httpUrl(path), {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie };
}

/** CONNACK 0 resolves true; a refused login false. */
async function logsIn(creds: { username: string; password: string }, clientId: string) {
  const client = mqtt.connect(`mqtt://127.0.0.1:${serve.ports!.mqtt}`, {
    ...creds,
    clientId,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const ok = await new Promise<boolean>((resolve) => {
    client.once('connect', () => resolve(true));
    client.once('error', () => resolve(false));
  });
  return { ok, client };
}

describe('accounts through airbox serve', () => {
  beforeAll(async () => {
    await serve.start();
  });
  afterAll(async () => {
    await serve.stop();
    dir.remove();
  });

  it('a box registered through the API connects at once; a rotation cuts the old login off', async () => {
    const signUp = await call('POST', '/api/v1/accounts', {
      email: 'Maker@Example.org',
      password: 'a long enough passphrase',
      displayName: 'Maker',
    });
    expect(signUp.status).toBe(201);
    expect(signUp.body['account']).toMatchObject({ email: 'maker@example.org' });
    const session = { cookie: signUp.cookie!, csrfToken: String(signUp.body['csrfToken']) };

    const added = await call(
      'POST',
      '/api/v1/me/devices',
      { deviceId: 'api-box-1', name: 'Balcony', lat: 25.03, lon: 121.56 },
      session,
    );
    expect(added.status).toBe(201);
    const creds = {
      username: String(added.body['username']),
      password: String(added.body['password']),
    };
    const first = await logsIn(creds, 'api-box-1');
    expect(first.ok).toBe(true);

    const rotated = await call('POST', '/api/v1/devices/api-box-1/credentials', {}, session);
    expect(rotated.status).toBe(201);
    await waitFor('the old login to be closed', () => !first.client.connected, 5_000);
    expect((await logsIn(creds, 'api-box-1')).ok).toBe(false);
    const fresh = {
      username: String(rotated.body['username']),
      password: String(rotated.body['password']),
    };
    const second = await logsIn(fresh, 'api-box-1');
    expect(second.ok).toBe(true);
    await second.client.endAsync();
  });

  it('keeps accounts across a restart: sign in again with the same password', async () => {
    await serve.stop();
    await serve.start();
    const signIn = await call('POST', '/api/v1/session', {
      email: 'maker@example.org',
      password: 'a long enough passphrase',
    });
    expect(signIn.status).toBe(200);
    const wrong = await call('POST', '/api/v1/session', {
      email: 'maker@example.org',
      password: 'not the passphrase',
    });
    expect(wrong.status).toBe(401);
  });
});
