import { aqiFromPm25 } from '@airbox/aqi';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  browserSession,
  browserSkipReason,
  screenPixel,
  waitForReady,
  type BrowserSession,
  type Credentials,
} from './harness.ts';
import { colourDistance, hexToRgb } from './png.ts';

/**
 * The browser app against the real system: `airbox serve` (broker, worker, SQLite store,
 * API and app) on a temp data dir, readings published with Debian's mosquitto_pub, the
 * pages in Debian's Chromium. What is asserted is what a user sees: pixels of the map, the
 * number and colour on the school page, text where a script was sent.
 */

const skip = await browserSkipReason();
const TAIPEI = { lat: 25.04, lon: 121.53 };
/** Raw PM2.5 far apart: clean and dirty whatever the active calibration makes of them. */
const CLEAN_UGM3 = 5;
const DIRTY_UGM3 = 180;
// At most 64 characters each: the native schema's limit for firmware and app.
const SCRIPT_FIRMWARE = '<img src=x onerror=window.__pwned=1><script>alert(2)</script>';
const SCRIPT_APP = '<script>alert("app")</script>';

type DeviceAnswer = {
  latest: { time: string; pm25UgM3: number; pm25CalibratedUgM3: number | null };
};

/** The value the app shows by default (calibrated, else raw) and its AQI colour. */
function expected(answer: DeviceAnswer) {
  const value = answer.latest.pm25CalibratedUgM3 ?? answer.latest.pm25UgM3;
  const { category } = aqiFromPm25(Math.max(0, value), {
    scale: 'tw',
    at: new Date(answer.latest.time),
  });
  return { value, category, rgb: hexToRgb(category.colourHex) };
}

describe.skipIf(skip !== '')('browser app (Chromium, real airbox serve)', () => {
  const session = browserSession();
  const { system } = session;
  let page: Page;
  let seen: BrowserSession['seen'];
  let box: Credentials;
  let scripted: Credentials;

  const reading = (pm25UgM3: number, agoMs: number, extra: Record<string, unknown> = {}) => ({
    time: new Date(Date.now() - agoMs).toISOString(),
    ...TAIPEI,
    pm25UgM3,
    temperatureC: 24,
    humidityPct: 60,
    ...extra,
  });

  beforeAll(async () => {
    ({ page, seen } = session);
    [box, scripted] = await Promise.all([
      system.addDevice('school-box-1'),
      system.addDevice('maker-box-2'),
    ]);
    await system.publish(box, reading(CLEAN_UGM3 + 2, 120_000));
    await system.publish(box, reading(CLEAN_UGM3, 60_000));
    // 0.05° east of the first box: inside the same view, never under it.
    await system.publish(scripted, {
      ...reading(20, 60_000, { firmware: SCRIPT_FIRMWARE, app: SCRIPT_APP }),
      lon: TAIPEI.lon + 0.05,
    });
  });

  it('draws the box in its AQI colour, opens its chart on click, and shows a new reading within 2 s', async () => {
    await page.goto(system.url(`/?lang=en&view=${TAIPEI.lon},${TAIPEI.lat},13`));
    await waitForReady(page);
    const [x, y] = (await page.evaluate(
      ({ lon, lat }) => window.__airbox?.project(lon, lat),
      TAIPEI,
    )) ?? [0, 0];

    const before = expected((await system.json(`/api/v1/devices/${box.deviceId}`)) as DeviceAnswer);
    expect(colourDistance(await screenPixel(page, x, y), before.rgb)).toBeLessThanOrEqual(12);
    // 40 px away there is no box: the base map, not the AQI colour.
    expect(colourDistance(await screenPixel(page, x - 40, y), before.rgb)).toBeGreaterThan(60);
    expect(await page.evaluate(() => window.__airbox?.boxCount())).toBe(2);

    await page.mouse.click(x, y);
    await page.waitForSelector('[data-testid=chart] canvas');
    const api = (await system.json(`/api/v1/devices/${box.deviceId}`)) as DeviceAnswer;
    const last = await page.evaluate(() => window.__airbox?.lastChartPoint());
    expect(last?.timeMs).toBe(Date.parse(api.latest.time));
    expect(last?.raw).toBe(api.latest.pm25UgM3);
    expect(last?.calibrated).toBe(api.latest.pm25CalibratedUgM3);
    expect(await page.textContent('[data-testid=panel-title]')).toBe(box.deviceId);

    await system.publish(box, reading(DIRTY_UGM3, 0));
    const publishedAt = Date.now();
    const after = expected((await system.json(`/api/v1/devices/${box.deviceId}`)) as DeviceAnswer);
    expect(after.category.key).not.toBe(before.category.key);
    let latencyMs = Infinity;
    while (Date.now() - publishedAt < 5_000) {
      if (colourDistance(await screenPixel(page, x, y), after.rgb) <= 12) {
        latencyMs = Date.now() - publishedAt;
        break;
      }
    }
    console.info(`map: new reading drawn ${latencyMs} ms after mosquitto_pub returned`);
    expect(latencyMs).toBeLessThan(2_000);
    // The open chart took the reading too.
    await expect
      .poll(() => page.evaluate(() => window.__airbox?.lastChartPoint()?.raw))
      .toBe(DIRTY_UGM3);
    expect(seen.errors).toEqual([]);
  });

  it.each(['zh-TW', 'en'] as const)(
    'the school page (%s) shows the API’s number in its AQI colour, with advice in that language',
    async (lang) => {
      await page.goto(system.url(`/school/${box.deviceId}?lang=${lang}`));
      await waitForReady(page);
      const { value, category } = expected(
        (await system.json(`/api/v1/devices/${box.deviceId}`)) as DeviceAnswer,
      );

      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(Number((await page.textContent('[data-testid=pm25]'))?.replace(/,/g, ''))).toBeCloseTo(
        value,
        1,
      );
      const name = lang === 'en' ? category.name.en : category.name.zhTw;
      expect(await page.textContent('[data-testid=category]')).toBe(name);
      const advice = lang === 'en' ? category.advice.en : category.advice.zhTw;
      expect(await page.textContent('main')).toContain(advice);

      // The colour as drawn: a pixel inside the level panel, away from its text.
      const panel = await page.locator('[data-testid=level]').boundingBox();
      if (panel === null) throw new Error('no level panel on the school page');
      const pixel = await screenPixel(page, panel.x + 8, panel.y + panel.height - 8);
      expect(colourDistance(pixel, hexToRgb(category.colourHex))).toBeLessThanOrEqual(2);
    },
  );

  it('shows script sent as firmware, app name or URL as text, and never runs it', async () => {
    await page.goto(system.url(`/device/${scripted.deviceId}?lang=en`));
    await waitForReady(page);
    const summary = await page.textContent('[data-testid=summary]');
    expect(summary).toContain(SCRIPT_FIRMWARE);
    expect(summary).toContain(SCRIPT_APP);
    // Its raw tail is its owner's (maker-tail.test.ts shows a script in it as text there).
    await page.waitForSelector('[data-testid=tail-state][data-refused]');
    expect(await page.locator('[data-testid=tail] li').count()).toBe(0);

    // A script in the URL comes back in the API's error message; it is shown as text too.
    await page.goto(
      system.url(`/device/${encodeURIComponent('<script>alert(1)</script>')}?lang=en`),
    );
    await waitForReady(page);
    expect(await page.textContent('main')).toContain('is not a device id');

    await page.goto(system.url(`/embed/${scripted.deviceId}`));
    await waitForReady(page);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src=x], main script').count()).toBe(0);
    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toEqual([]);
  });
});
