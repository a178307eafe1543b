import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIRBOX_BIN, ServeProcess, run, tempDir, waitFor } from '@airbox/testkit';

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
  const text = await res.text();
  // A 204 (a password reset) has no body.
  const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  return { status: res.status, body: parsed, cookie };
}

beforeAll(async () => {
  await serve.start();
});
afterAll(async () => {
  await serve.stop();
  dir.remove();
});

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

/** The real `airbox` binary on the running server's data dir, as an operator types it. */
async function airbox(args: string[], input?: string): Promise<string> {
  const r = await run(process.execPath, [AIRBOX_BIN, ...args, '--data-dir', dir.path], { input });
  if (r.code !== 0) throw new Error(`airbox ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function signIn(email: string, password: string) {
  const answer = await call('POST', '/api/v1/session', { email, password });
  const session = { cookie: answer.cookie ?? '', csrfToken: String(answer.body['csrfToken']) };
  return { status: answer.status, session };
}

describe('the operator CLI beside a running airbox serve', () => {
  it('an account added with airbox account signs in with the printed password; --operator shows on /me', async () => {
    const added = JSON.parse(await airbox(['account', 'add', 'ops@example.org', '--operator'])) as {
      password: string;
    };
    const ops = await signIn('ops@example.org', added.password);
    expect(ops.status).toBe(200);
    const me = await call('GET', '/api/v1/me', undefined, ops.session);
    expect(me.body['account']).toMatchObject({ email: 'ops@example.org', operator: true });

    await airbox(['account', 'set', 'ops@example.org', '--no-operator']);
    const after = await call('GET', '/api/v1/me', undefined, ops.session);
    expect(after.body['account']).toMatchObject({ operator: false });
  });

  it('a reset link sets a new password once, and ends the sessions of the old one', async () => {
    await airbox(
      ['account', 'add', 'forgetful@example.org', '--password-stdin'],
      'the old passphrase\n',
    );
    const before = await signIn('forgetful@example.org', 'the old passphrase');
    const printed = JSON.parse(
      await airbox([
        'account',
        'reset-link',
        'forgetful@example.org',
        '--base-url',
        serve.httpUrl('/'),
      ]),
    ) as { link: string };
    const link = new URL(printed.link);
    expect(link.pathname).toBe('/reset-password');
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');

    const token = link.searchParams.get('token');
    const reset = await call('POST', '/api/v1/password-reset', {
      token,
      newPassword: 'a brand new passphrase',
    });
    expect(reset.status).toBe(204);
    const again = await call('POST', '/api/v1/password-reset', {
      token,
      newPassword: 'someone else entirely',
    });
    expect(again.status).toBe(400);
    expect((await call('GET', '/api/v1/me', undefined, before.session)).status).toBe(401);
    expect((await signIn('forgetful@example.org', 'the old passphrase')).status).toBe(401);
    expect((await signIn('forgetful@example.org', 'a brand new passphrase')).status).toBe(200);
  });

  it("boxes added with --owner org:ID are on the organisation's page; --owner EMAIL on My boxes", async () => {
    await airbox(
      ['account', 'add', 'head@annan.edu.tw', '--password-stdin'],
      'head teacher passphrase',
    );
    const org = JSON.parse(
      await airbox([
        'org',
        'add',
        'Annan Elementary',
        '--kind',
        'school',
        '--owner',
        'head@annan.edu.tw',
      ]),
    ) as { id: string };
    await airbox(['device', 'add', 'annan-class-1', '--owner', `org:${org.id}`, '--private']);
    await airbox(['device', 'add', 'annan-roof', '--owner', `org:${org.id}`]);
    await airbox(['device', 'add', 'head-home', '--owner', 'head@annan.edu.tw']);

    const head = await signIn('head@annan.edu.tw', 'head teacher passphrase');
    const page = await call('GET', `/api/v1/orgs/${org.id}`, undefined, head.session);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ name: 'Annan Elementary', kind: 'school' });
    const ids = (page.body['devices'] as { deviceId: string }[]).map((d) => d.deviceId);
    expect(ids.sort()).toEqual(['annan-class-1', 'annan-roof']);
    const me = await call('GET', '/api/v1/me', undefined, head.session);
    expect(me.body['organisations']).toEqual([
      { id: org.id, name: 'Annan Elementary', kind: 'school', role: 'owner' },
    ]);
    const mine = await call('GET', '/api/v1/me/devices', undefined, head.session);
    const myIds = (mine.body['devices'] as { deviceId: string }[]).map((d) => d.deviceId);
    expect(myIds).toContain('head-home');
  });
});
