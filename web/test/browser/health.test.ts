import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserSession, browserSkipReason, waitForReady, type Credentials } from './harness.ts';

/**
 * The maker page's health card, against the real system: five boxes a few hundred metres
 * apart send six hours of readings with Debian's mosquitto_pub (one backfill batch each);
 * one of them has a dead fan (T/RH but no PM). `airbox serve` judges them every 2 s and
 * the page, in Debian's Chromium, tells the maker what is wrong and what to do, in English
 * and in zh-TW.
 */
const skip = await browserSkipReason();
const MINUTE_MS = 60_000;

function batch(i: number, dead: boolean, endMs: number): unknown[] {
  return Array.from({ length: 36 }, (_, k) => {
    const timeMs = endMs - (36 - k) * 10 * MINUTE_MS;
    return {
      time: new Date(timeMs).toISOString(),
      lat: 25.03 + 0.002 * i,
      lon: 121.5 + 0.002 * i,
      pm25UgM3: dead ? null : 12 + k + ((k + i) % 3),
      temperatureC: 24,
      humidityPct: 70,
    };
  });
}

describe.skipIf(skip !== '')('maker page: box health and advice (Chromium)', () => {
  const session = browserSession(['--health-every', '2', '--no-refit']);
  const { system } = session;
  let page: Page;
  let dead: Credentials;

  beforeAll(async () => {
    ({ page } = session);
    const boxes: Credentials[] = [];
    for (const id of ['hp-1', 'hp-2', 'hp-3', 'hp-4', 'hp-dead'])
      boxes.push(await system.addDevice(id));
    const endMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    for (const [i, box] of boxes.entries()) {
      const readings = JSON.stringify(batch(i, box.deviceId === 'hp-dead', endMs));
      const pub = await system.publishText(box, `airbox/v1/${box.deviceId}/batch`, readings);
      if (pub.code !== 0) throw new Error(`mosquitto_pub for ${box.deviceId}: ${pub.stderr}`);
    }
    dead = boxes[4] as Credentials;
    const judged = async () => {
      const { devices } = (await system.json('/api/v1/devices')) as {
        devices: { deviceId: string; health: { status: string } }[];
      };
      return devices.find((d) => d.deviceId === 'hp-dead')?.health.status === 'faulty';
    };
    for (let tries = 0; !(await judged()); tries++) {
      if (tries > 60) throw new Error('hp-dead was not judged faulty within 30 s');
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  it('shows a dead fan as faulty with what to do, in English and zh-TW', async () => {
    await page.goto(system.url(`/device/${dead.deviceId}?lang=en`));
    await waitForReady(page);
    const card = await page.textContent('[data-testid=health]');
    expect(card).toContain('Status: faulty, confidence 0 %');
    expect(card).toContain('zero');
    expect(card).toContain('Clean or replace the fan');

    await page.goto(system.url(`/device/${dead.deviceId}?lang=zh-TW`));
    await waitForReady(page);
    const zh = await page.textContent('[data-testid=health]');
    expect(zh).toContain('健康狀態');
    expect(zh).toContain('故障');
    expect(zh).toContain('請清潔或更換風扇');
  });

  it('tells a healthy box that its values can be trusted', async () => {
    await page.goto(system.url('/device/hp-1?lang=en'));
    await waitForReady(page);
    expect(await page.textContent('[data-testid=health]')).toContain(
      'No problem found: its values can be trusted.',
    );
  });
});
