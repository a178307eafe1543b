import { describe, expect, it } from 'vitest';
import { apiWith, iso, T0 } from './helpers.ts';

interface StatusJson {
  time: string;
  uptimeS: number;
  store: string;
  health: Record<string, unknown>;
  rateWindowS: number | null;
  metrics: { name: string; type: string; help: string; value: number; ratePerS: number | null }[];
  deadLetters: { receivedAt: string; topic: string; code: string }[];
  deadLettersError: string | null;
}

/** An API whose clock and one counter the test moves. */
async function statusApi() {
  const clock = { nowMs: T0 };
  const things = { count: 0 };
  const api = await apiWith([], { now: () => clock.nowMs, health: () => ({ mqttPort: 1883 }) });
  api.metrics.register(
    'airbox_test_messages_total',
    'counter',
    'Messages seen by the test',
    () => things.count,
  );
  api.metrics.register('airbox_test_queue', 'gauge', 'Readings waiting', () => 7);
  return { ...api, clock, things };
}

describe('GET /status', () => {
  it('is one self-contained HTML page that reloads itself, outside the rate limit', async () => {
    const { app } = await apiWith([], { rateLimit: { max: 1 } });
    const first = await app.inject('/status');
    const second = await app.inject('/status');
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(first.body).toMatch(/^<!doctype html>/);
    expect(first.body).toContain('<meta http-equiv="refresh" content="10">');
    expect(first.body).toContain('store <b>sqlite</b>');
    // No external assets: nothing to load from anywhere.
    expect(first.body).not.toMatch(/<script|<link|src=/);
    expect(first.headers['content-security-policy']).toContain("default-src 'none'");
    await app.close();
  });

  it('lists every metric with its help text, and the per-second rate of counters', async () => {
    const { app, clock, things } = await statusApi();
    const before = (await app.inject('/status.json')).json<StatusJson>();
    expect(before.rateWindowS).toBeNull();
    expect(
      before.metrics.find((m) => m.name === 'airbox_test_messages_total')?.ratePerS,
    ).toBeNull();

    things.count = 250;
    clock.nowMs += 10_000;
    const after = (await app.inject('/status.json')).json<StatusJson>();
    expect(after.rateWindowS).toBe(10);
    expect(after.metrics.find((m) => m.name === 'airbox_test_messages_total')).toEqual({
      name: 'airbox_test_messages_total',
      type: 'counter',
      help: 'Messages seen by the test',
      value: 250,
      ratePerS: 25,
    });
    // A gauge has no rate; the API's own metrics are there too.
    expect(after.metrics.find((m) => m.name === 'airbox_test_queue')?.ratePerS).toBeNull();
    expect(after.metrics.map((m) => m.name)).toContain('airbox_api_rate_limited_total');
    expect(after).toMatchObject({
      store: 'sqlite',
      health: { mqttPort: 1883 },
      time: iso(T0 + 10_000),
    });

    // The page shows the same: the rate beside the counter, over the last 10 s.
    things.count = 400;
    clock.nowMs += 20_000;
    const page = (await app.inject('/status')).body;
    expect(page).toMatch(
      /<code>airbox_test_messages_total<\/code><\/td>\s*<td>counter<\/td>\s*<td class="n">400<\/td>\s*<td class="n">7\.5<\/td>\s*<td class="muted">Messages seen by the test</,
    );
    expect(page).toContain('Rates over the last 20 s.');
    await app.close();
  });

  it('does not count two loads a moment apart as a new sample', async () => {
    const { app, clock, things } = await statusApi();
    await app.inject('/status.json');
    things.count = 100;
    clock.nowMs += 10_000;
    await app.inject('/status.json');
    things.count = 101;
    clock.nowMs += 200;
    const quick = (await app.inject('/status.json')).json<StatusJson>();
    // Still compared with the sample 10.2 s back, not the one 0.2 s back.
    expect(quick.rateWindowS).toBe(10.2);
    expect(
      quick.metrics.find((m) => m.name === 'airbox_test_messages_total')?.ratePerS,
    ).toBeCloseTo(101 / 10.2);
    await app.close();
  });

  it('shows the newest dead letters’ time, topic and code, HTML-escaped, and nothing of what they held', async () => {
    const { app, store } = await apiWith([]);
    for (let i = 0; i < 25; i++) {
      await store.addDeadLetter({
        receivedAt: iso(T0 + i * 1000),
        topic: `airbox/v1/box-${i}/reading`,
        payload: new TextEncoder().encode('{'),
        clientId: `box-${i}`,
        code: 'invalid-json',
        reason: `payload of box-${i} is not JSON`,
      });
    }
    await store.addDeadLetter({
      receivedAt: iso(T0 + 60_000),
      topic: 'LASS/Test/PM25/<script>alert("x")</script>&',
      payload: new TextEncoder().encode('|x|password=hunter2'),
      clientId: '"><img src=x onerror=alert(1)>',
      code: 'not-lass',
      reason: 'device_id <script>alert("x")</script> & more',
    });
    const res = await app.inject('/status');
    expect(res.statusCode).toBe(200);
    const page = res.body;
    expect(page).toContain('LASS/Test/PM25/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
    // The reason (it may quote the payload), the client and the payload are for operators.
    for (const hidden of ['device_id', 'onerror', 'hunter2', 'is not JSON']) {
      expect(page).not.toContain(hidden);
    }
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    const rows = page.match(/<tr><td>2026-11-27T\d\d:\d\d:\d\d\.\d{3}Z<\/td>/g) ?? [];
    expect(rows).toHaveLength(20);
    expect(page).toContain('box-24');
    expect(page).not.toContain('box-5/');

    const json = (await app.inject('/status.json')).json<StatusJson>();
    expect(json.deadLetters).toHaveLength(20);
    expect(json.deadLetters[0]).toEqual({
      receivedAt: iso(T0 + 60_000),
      topic: 'LASS/Test/PM25/<script>alert("x")</script>&',
      code: 'not-lass',
    });
    expect(JSON.stringify(json)).not.toMatch(/hunter2|onerror|device_id/);
    await app.close();
  });

  it('is in the OpenAPI document, as a system route without a rate limit', async () => {
    const { app } = await apiWith([]);
    const doc = (await app.inject('/api/v1/openapi.json')).json<{
      paths: Record<
        string,
        {
          get: { tags: string[]; responses: Record<string, { content?: Record<string, unknown> }> };
        }
      >;
    }>();
    const page = doc.paths['/status']?.get;
    const json = doc.paths['/status.json']?.get;
    expect(page?.tags).toEqual(['system']);
    expect(Object.keys(page?.responses['200']?.content ?? {})).toEqual(['text/html']);
    expect(json?.responses['200']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/Status' } },
    });
    expect(json?.responses['429']).toBeUndefined();
    await app.close();
  });
});
