/**
 * `airbox serve` flooded by boxes publishing as fast as the broker acknowledges: hundreds of
 * connections, each with a hundred QoS 1 PUBLISHes in flight. Without backpressure one
 * event-loop turn handled every chunk every socket had sent (tens of thousands of
 * messages), and /healthz, the map and CONNACKs waited seconds behind them. The broker now
 * takes a bounded share of them a turn and holds the rest, their connections unread and
 * their PUBACKs delayed, so what a user notices: /healthz answers throughout, and every
 * reading a box got a PUBACK for is stored. How fast is the bench's (`airbox bench lag`).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectAll, runLoad } from '@airbox/bench';
import { openSqliteRegistry } from '@airbox/registry';
import { ServeProcess, tempDir, waitFor } from '@airbox/testkit';

const CLIENTS = 300;
const IN_FLIGHT = 100;
const FLOOD_MS = 8000;
/** Generous: without backpressure the median alone was over a second on 2 vCPU. */
const HEALTHZ_MEDIAN_MS = 400;
const HEALTHZ_MAX_MS = 5000;

/** GET /healthz every 100 ms until stopped: each answer's status and time. */
function pollHealth(url: string) {
  const answers: { status: number; ms: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      answers.push({ status: res.status, ms: performance.now() - t0 });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    answers,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function metric(serve: ServeProcess, series: string): Promise<number> {
  const text = await (await fetch(serve.httpUrl('/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1]);
}

describe('airbox serve under saturating ingest', () => {
  const dir = tempDir('serve-backpressure');
  const dataDir = join(dir.path, 'data');
  const serve = new ServeProcess(dataDir, [
    '--rate',
    '1000000',
    '--max-connections-per-address',
    '0',
    '--no-refit',
  ]);
  afterAll(async () => {
    await serve.stop();
    dir.remove();
  });

  it('keeps answering /healthz while it takes all it can, and stores every acknowledged reading', async () => {
    const registry = await openSqliteRegistry(join(dataDir, 'devices.db'));
    const boxes = await registry.devices.issueMany(
      Array.from({ length: CLIENTS }, (_, i) => `flood-${i}`),
    );
    await registry.close();
    const ports = await serve.start();
    const connected = await connectAll(ports.mqtt, boxes);
    const health = pollHealth(serve.httpUrl('/healthz'));
    const load = await runLoad(
      { clients: boxes, durationMs: FLOOD_MS, windowPerClient: IN_FLIGHT },
      connected,
    );
    await health.stop();
    for (const c of connected) c.close();

    const ms = health.answers.map((a) => a.ms).sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)] ?? NaN;
    console.log(
      `${load.acked} of ${load.sent} acknowledged in ${load.elapsedS.toFixed(1)} s; ` +
        `/healthz ${ms.length} answers, median ${Math.round(median)} ms, max ${Math.round(ms.at(-1) ?? NaN)} ms`,
    );
    expect(health.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(ms.length).toBeGreaterThan(10);
    expect(median).toBeLessThan(HEALTHZ_MEDIAN_MS);
    expect(ms.at(-1)).toBeLessThan(HEALTHZ_MAX_MS);
    // Nothing acknowledged is lost: every PUBACK came after its reading was stored.
    expect(load.acked).toBe(load.sent);
    await waitFor('the stored count', async () =>
      (await metric(serve, 'airbox_readings_stored_total')) === load.acked ? true : undefined,
    );
    expect(await metric(serve, 'airbox_ingest_held_publishes')).toBe(0);
  }, 180_000);
});
