import { describe, expect, it } from 'vitest';
import { accountsApi, as, signUp } from './helpers.ts';

describe('accounts over HTTP', () => {
  it('signs up into a session cookie that scripts cannot read, and /me gives the CSRF token', async () => {
    const { app } = await accountsApi();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: {
        email: 'Maker@Example.org ',
        password: 'correct horse battery',
        displayName: 'Maker',
      },
    });
    expect(res.statusCode).toBe(201);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(
      /^airbox_session=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/,
    );
    const me = await app.inject({ url: '/api/v1/me', headers: { cookie: cookie.split(';')[0]! } });
    expect(me.json()).toMatchObject({
      account: { email: 'maker@example.org', displayName: 'Maker', operator: false },
      organisations: [],
      csrfToken: res.json<{ csrfToken: string }>().csrfToken,
    });
  });

  it('with sign-up closed, refuses a new account coded signup-closed; one an operator made signs in', async () => {
    const { app, registry } = await accountsApi({ signup: 'closed' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: {
        email: 'walk-in@example.org',
        password: 'correct horse battery',
        displayName: 'W',
      },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'signup-closed' } });
    expect(await registry.accounts.byEmail('walk-in@example.org')).toBeNull();
    expect((await app.inject('/app/config.json')).json()).toMatchObject({ signup: false });
    // What `airbox account add` does: the registry's own create.
    await registry.accounts.create({
      email: 'teacher@example.org',
      password: 'correct horse battery',
      displayName: 'Teacher',
    });
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: 'teacher@example.org', password: 'correct horse battery' },
    });
    expect(signIn.statusCode).toBe(200);
    const open = await accountsApi();
    expect((await open.app.inject('/app/config.json')).json()).toMatchObject({ signup: true });
  });

  it('marks the cookie Secure with the __Host- prefix behind TLS', async () => {
    const { app } = await accountsApi({ secureCookies: true });
    const s = await signUp(app, 'tls@example.org');
    expect(s.cookie).toMatch(/^__Host-airbox_session=/);
    const me = await app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } });
    expect(me.statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown e-mail alike', async () => {
    const { app } = await accountsApi();
    await signUp(app, 'real@example.org');
    const attempt = (email: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email, password: 'wrong password!' },
      });
    const [wrong, unknown] = [
      await attempt('real@example.org'),
      await attempt('nobody@example.org'),
    ];
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toBe(unknown.body);
    expect(wrong.json()).toEqual({
      error: { code: 'sign-in-failed', message: 'the e-mail or the password is wrong' },
    });
  });

  it('signs out on the server: the old cookie no longer works', async () => {
    const { app } = await accountsApi();
    const s = await signUp(app, 'out@example.org');
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: as(s) })).statusCode,
    ).toBe(204);
    const me = await app.inject({ url: '/api/v1/me', headers: { cookie: s.cookie } });
    expect(me.statusCode).toBe(401);
    expect(me.json<{ error: { code: string } }>().error.code).toBe('not-signed-in');
  });

  it('slows 1,000 wrong passwords from one address, then the owner signs in from elsewhere once the lock lapses', async () => {
    const { app, clock } = await accountsApi();
    await signUp(app, 'victim@example.org');
    const codes = new Map<number, number>();
    for (let i = 0; i < 1_000; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: '198.51.100.7',
        payload: { email: 'victim@example.org', password: `guess ${i} guess` },
      });
      codes.set(res.statusCode, (codes.get(res.statusCode) ?? 0) + 1);
    }
    // Five reach the password check; the rest are refused before it, with Retry-After.
    expect(codes.get(401)).toBe(5);
    expect(codes.get(429)).toBe(995);
    const signIn = (address: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: address,
        payload: { email: 'victim@example.org', password: 'correct horse battery' },
      });
    const attacker = await signIn('198.51.100.7');
    expect(attacker.statusCode).toBe(429);
    expect(Number(attacker.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(15 * 60_000 + 1_000);
    expect((await signIn('203.0.113.9')).statusCode).toBe(200);
  });

  it('changes a password: the old one stops working and other sessions end', async () => {
    const { app } = await accountsApi();
    const first = await signUp(app, 'pw@example.org');
    const second = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: 'pw@example.org', password: 'correct horse battery' },
    });
    const secondCookie = String(second.headers['set-cookie']).split(';')[0]!;
    const change = await app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: as(first),
      payload: { currentPassword: 'correct horse battery', newPassword: 'another long secret' },
    });
    expect(change.statusCode).toBe(204);
    expect(
      (await app.inject({ url: '/api/v1/me', headers: { cookie: secondCookie } })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/api/v1/me', headers: { cookie: first.cookie } })).statusCode,
    ).toBe(200);
    const old = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: 'pw@example.org', password: 'correct horse battery' },
    });
    expect(old.statusCode).toBe(401);
  });

  it('refuses a weak password and a taken e-mail with their codes', async () => {
    const { app } = await accountsApi();
    await signUp(app, 'taken@example.org');
    const weak = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: 'new@example.org', password: 'short', displayName: 'N' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json<{ error: { code: string } }>().error.code).toBe('weak-password');
    const taken = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: 'TAKEN@example.org', password: 'correct horse battery', displayName: 'T' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json<{ error: { code: string } }>().error.code).toBe('exists');
  });
});
