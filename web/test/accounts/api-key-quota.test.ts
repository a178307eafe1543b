import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { accountsApi, as, signUp } from './helpers.ts';

/** Over real sockets: the byte quota counts what the socket wrote. */
describe('API keys', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });

  async function started(max: number) {
    const w = await accountsApi({ rateLimit: { max } });
    await w.app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => w.app.close());
    const base = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
    return { ...w, base };
  }

  it('lifts a key above the anonymous limit and says so in RateLimit-* headers', async () => {
    const { base, registry } = await started(2);
    // Made in the registry: signing up over HTTP would spend the address's two requests.
    const account = await registry.accounts.create({
      email: 'researcher@example.org',
      password: 'correct horse battery',
      displayName: 'R',
    });
    const { key } = await registry.apiKeys.create(account.id, 'thesis');
    const anonymous = [];
    for (let i = 0; i < 3; i++) anonymous.push(await fetch(`${base}/api/v1/devices`));
    expect(anonymous.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(anonymous[0]!.headers.get('ratelimit-limit')).toBe('2');
    const keyed = await fetch(`${base}/api/v1/devices`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(keyed.status).toBe(200);
    expect(keyed.headers.get('ratelimit-limit')).toBe('3000');
    expect(keyed.headers.get('ratelimit-remaining')).toBe('2999');
  });

  it('a key whose quota an operator raised passes where a key on the default is refused', async () => {
    const { app, registry } = await accountsApi({ rateLimit: { max: 2 } });
    const lab = await registry.accounts.create({
      email: 'lab@example.org',
      password: 'correct horse battery',
      displayName: 'Lab',
    });
    const plain = await registry.apiKeys.create(lab.id, 'plain');
    const raised = await registry.apiKeys.create(lab.id, 'raised');
    // What `airbox account key-quota KEY_ID --per-minute 4000` does.
    await registry.apiKeys.setQuota(raised.id, { perMinute: 4_000 });
    const burst = async (key: string) => {
      const statuses = new Map<number, number>();
      for (let batch = 0; batch < 31; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 100 }, () =>
            app.inject({ url: '/api/v1/devices', headers: { authorization: `Bearer ${key}` } }),
          ),
        );
        for (const a of answers) statuses.set(a.statusCode, (statuses.get(a.statusCode) ?? 0) + 1);
      }
      return Object.fromEntries(statuses);
    };
    // 3,100 requests in the same minute: past the default 3,000, within the raised 4,000.
    expect(await burst(plain.key)).toEqual({ 200: 3_000, 429: 100 });
    expect(await burst(raised.key)).toEqual({ 200: 3_100 });
  });

  it('refuses a key past its bytes of the day with 429 and Retry-After until midnight UTC', async () => {
    const { app, base, registry } = await started(100);
    const s = await signUp(app, 'bulk@example.org');
    const { key } = await registry.apiKeys.create(s.accountId, 'small', { bytesPerDay: 2_000 });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 20; i++) {
      last = await fetch(`${base}/api/v1/openapi.json`, {
        headers: { authorization: `Bearer ${key}` },
      });
      statuses.push(last.status);
      await last.arrayBuffer();
      if (last.status === 429) break;
    }
    // The OpenAPI document alone is larger than 2,000 bytes: one answer, then the refusal.
    expect(statuses).toEqual([200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await fetch(`${base}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${key}` } }))
        .status,
    ).toBe(429);
  });

  it('stops working once revoked', async () => {
    const { app, base } = await started(100);
    const s = await signUp(app, 'gone@example.org');
    const created = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/me/api-keys',
        headers: as(s),
        payload: { name: 'k' },
      })
    ).json<{ id: string; key: string }>();
    await app.inject({
      method: 'DELETE',
      url: `/api/v1/me/api-keys/${created.id}`,
      headers: as(s),
    });
    const res = await fetch(`${base}/api/v1/devices`, {
      headers: { authorization: `Bearer ${created.key}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'unauthorized', message: 'this API key is unknown or revoked' },
    });
  });
});
