import { describe, expect, it } from 'vitest';
import type { NotReady } from '../src/index.ts';
import { apiWith } from './helpers.ts';

describe('GET /readyz', () => {
  it('is 200 ready until the process gives a reason, then 503 with them; /healthz stays 200', async () => {
    let reasons: NotReady[] = [];
    const { app } = await apiWith([], { readiness: () => reasons, rateLimit: { max: 1 } });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', reasons: [] });
    expect(ready.headers['cache-control']).toBe('no-store');

    reasons = [{ code: 'event-loop-lag', message: 'p99 800 ms over the last 10 s' }];
    const busy = await app.inject('/readyz');
    expect(busy.statusCode).toBe(503);
    expect(busy.json()).toEqual({ status: 'not-ready', reasons });
    // Liveness is not readiness: a busy process is alive. Neither is rate limited.
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.close();
  });

  it('is ready without a readiness check, and documented', async () => {
    const { app } = await apiWith([]);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    const doc = (await app.inject('/api/v1/openapi.json')).json<{
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
    }>();
    expect(Object.keys(doc.paths['/readyz']!.get.responses)).toEqual(
      expect.arrayContaining(['200', '503']),
    );
    await app.close();
  });
});

describe('labelled metrics', () => {
  it('renders one family with one HELP and TYPE, and lists each series on /status', async () => {
    const { app, metrics } = await apiWith([]);
    metrics.register('airbox_test_lag_seconds', 'gauge', 'Lag', () => 0.01, { quantile: '0.5' });
    metrics.register('airbox_test_other', 'gauge', 'Other', () => 1);
    metrics.register('airbox_test_lag_seconds', 'gauge', 'Lag', () => 0.2, { quantile: '0.99' });
    const text = (await app.inject('/metrics')).body;
    expect(text).toContain(
      '# HELP airbox_test_lag_seconds Lag\n# TYPE airbox_test_lag_seconds gauge\n' +
        'airbox_test_lag_seconds{quantile="0.5"} 0.01\nairbox_test_lag_seconds{quantile="0.99"} 0.2\n',
    );
    expect(text.match(/# TYPE airbox_test_lag_seconds/g)).toHaveLength(1);
    const status = (await app.inject('/status.json')).json<{ metrics: { name: string }[] }>();
    expect(status.metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining([
        'airbox_test_lag_seconds{quantile="0.5"}',
        'airbox_test_lag_seconds{quantile="0.99"}',
      ]),
    );
    expect(() => metrics.register('airbox_test_other', 'counter', 'Other', () => 1)).toThrow(
      /is a gauge/,
    );
    await app.close();
  });
});
