import { aqiFromPm25 } from '@airbox/aqi';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, AIRBOX_BIN } from '@airbox/testkit';
import {
  browserSession,
  browserSkipReason,
  screenPixel,
  waitForReady,
  type Credentials,
} from './harness.ts';
import { colourDistance, hexToRgb } from './png.ts';

/**
 * Indoor boxes on the map, against the real system: a box registered with
 * `airbox device add ID --indoor` is not drawn until the user ticks "show indoor boxes",
 * and `airbox device set` takes effect on a running server (another process writes the
 * registry). What is asserted is what a user sees: the pixel at the box's position.
 */

const skip = await browserSkipReason();
const STREET = { lat: 25.04, lon: 121.53 };
// 0.05° east of the street box: in the same view, never under it.
const CLASSROOM = { lat: 25.04, lon: 121.58 };
const CLEAN_UGM3 = 5;
const DIRTY_UGM3 = 180;

type DeviceAnswer = {
  device: { indoor: boolean };
  latest: { time: string; pm25UgM3: number; pm25CalibratedUgM3: number | null };
};

/** The colour the map gives a device's newest reading by default (calibrated, TW scale). */
function colourOf(answer: DeviceAnswer): [number, number, number] {
  const value = answer.latest.pm25CalibratedUgM3 ?? answer.latest.pm25UgM3;
  const { category } = aqiFromPm25(Math.max(0, value), {
    scale: 'tw',
    at: new Date(answer.latest.time),
  });
  return hexToRgb(category.colourHex);
}

describe.skipIf(skip !== '')('indoor boxes on the map (Chromium, real airbox serve)', () => {
  const session = browserSession();
  const { system } = session;
  let page: Page;
  let street: Credentials;
  let classroom: Credentials;

  const device = async (...args: string[]) => {
    const r = await run(process.execPath, [
      AIRBOX_BIN,
      'device',
      ...args,
      '--data-dir',
      system.serve.dataDir,
    ]);
    if (r.code !== 0) throw new Error(`airbox device ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const reading = (at: { lat: number; lon: number }, pm25UgM3: number) => ({
    time: new Date(Date.now() - 60_000).toISOString(),
    ...at,
    pm25UgM3,
    temperatureC: 24,
    humidityPct: 60,
  });
  const pixelAt = async (at: { lat: number; lon: number }) => {
    const xy = await page.evaluate(({ lon, lat }) => window.__airbox?.project(lon, lat), at);
    if (xy === null || xy === undefined) throw new Error('the map cannot project a position');
    return screenPixel(page, xy[0], xy[1]);
  };

  beforeAll(async () => {
    page = session.page;
    street = await system.addDevice('street-1');
    classroom = JSON.parse(await device('add', 'class-9', '--indoor')) as Credentials;
    await system.loginTaken(classroom);
    await system.publish(street, reading(STREET, CLEAN_UGM3));
    await system.publish(classroom, reading(CLASSROOM, DIRTY_UGM3));
  });

  it('hides an indoor box by default and draws it once "show indoor" is ticked', async () => {
    const { seen } = session;
    await page.goto(system.url(`/?lang=en&view=${STREET.lon},${STREET.lat},13`));
    await waitForReady(page);
    // The live snapshot replaces the readings the page fetched (the box would be drawn if
    // it lost its indoor mark there): wait for the socket, then for the snapshot's redraw,
    // which nothing on the page announces.
    await expect.poll(() => page.evaluate(() => window.__airbox?.liveState())).toBe('live');
    await page.waitForTimeout(1_500);

    const answer = (await system.json('/api/v1/devices/class-9')) as DeviceAnswer;
    expect(answer.device.indoor).toBe(true);
    const dirty = colourOf(answer);
    const clean = colourOf((await system.json('/api/v1/devices/street-1')) as DeviceAnswer);
    expect(colourDistance(await pixelAt(STREET), clean)).toBeLessThanOrEqual(12);
    expect(colourDistance(await pixelAt(CLASSROOM), dirty)).toBeGreaterThan(60);
    expect(await page.evaluate(() => window.__airbox?.boxCount())).toBe(1);

    await page.check('[data-testid=indoor]');
    await expect
      .poll(async () => colourDistance(await pixelAt(CLASSROOM), dirty), { timeout: 5_000 })
      .toBeLessThanOrEqual(12);
    expect(await page.evaluate(() => window.__airbox?.boxCount())).toBe(2);
    expect(seen.errors).toEqual([]);
  });

  it('follows `airbox device set` run while the server runs', async () => {
    const indoorOf = async (id: string) =>
      ((await system.json(`/api/v1/devices/${id}`)) as DeviceAnswer).device.indoor;
    // Another process's write reaches the server's view of the registry at its next poll (1 s).
    await device('set', 'class-9', '--outdoor');
    await expect.poll(() => indoorOf('class-9'), { timeout: 5_000 }).toBe(false);
    await device('set', 'street-1', '--indoor');
    await expect.poll(() => indoorOf('street-1'), { timeout: 5_000 }).toBe(true);

    // A fresh page (the indoor box hidden again by default) shows the classroom, not the street.
    await page.goto(system.url(`/?lang=en&view=${STREET.lon},${STREET.lat},13`));
    await waitForReady(page);
    await expect.poll(() => page.evaluate(() => window.__airbox?.liveState())).toBe('live');
    await expect
      .poll(() => page.evaluate(() => window.__airbox?.boxCount()), { timeout: 5_000 })
      .toBe(1);
    const dirty = colourOf((await system.json('/api/v1/devices/class-9')) as DeviceAnswer);
    expect(colourDistance(await pixelAt(CLASSROOM), dirty)).toBeLessThanOrEqual(12);
  });
});
