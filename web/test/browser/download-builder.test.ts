import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserSession, browserSkipReason, waitForReady, type Credentials } from './harness.ts';

/**
 * The download page's request builder, driven as a researcher would (typing devices,
 * picking an area, a time range, an aggregation and a format) against the real system:
 * the request it shows must be exactly the /api/v1/series URL for those choices, and
 * following it must return the readings that were published over MQTT.
 */

const skip = await browserSkipReason();
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The page's "Taipei" preset: [west, south, east, north]. */
const TAIPEI_BBOX = '121.4,24.95,121.67,25.21';
const TAIPEI = { lat: 25.04, lon: 121.53 };
const KAOHSIUNG = { lat: 22.63, lon: 120.3 };

/** A datetime-local value (local time, minutes), as a person types it. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}` +
    `T${two(d.getHours())}:${two(d.getMinutes())}`
  );
}

/** CSV text (no quoted commas in these rows) as objects keyed by the header's names. */
function csvRows(text: string): Record<string, string>[] {
  const [header = '', ...lines] = text.trim().split(/\r\n/);
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}

describe.skipIf(skip !== '')('download page: request builder (Chromium, real airbox serve)', () => {
  const session = browserSession();
  const { system } = session;
  let page: Page;
  /** Start of the UTC hour three hours back: the readings lie in it and the next one. */
  const fromMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
  const toMs = fromMs + 2 * HOUR_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  /** What each box sent: minutes after `fromMs` and PM2.5. */
  const SENT: Record<string, { at: { lat: number; lon: number }; readings: [number, number][] }> = {
    'dl-a': {
      at: TAIPEI,
      readings: [
        [10, 10],
        [40, 20],
        [70, 30],
      ],
    },
    'dl-b': {
      at: { lat: TAIPEI.lat, lon: TAIPEI.lon + 0.02 },
      readings: [
        [20, 40],
        [80, 50],
      ],
    },
    // Outside Taipei: in a device list's answer, never in the Taipei area's.
    'dl-far': { at: KAOHSIUNG, readings: [[15, 60]] },
  };

  const publishAll = async (creds: Credentials) => {
    const sent = SENT[creds.deviceId];
    if (sent === undefined) throw new Error(`nothing to send for ${creds.deviceId}`);
    const readings = sent.readings.map(([minutes, pm25UgM3]) => ({
      time: iso(fromMs + minutes * MINUTE_MS),
      ...sent.at,
      pm25UgM3,
    }));
    const topic = `airbox/v1/${creds.deviceId}/batch`;
    const r = await system.publishText(creds, topic, JSON.stringify(readings));
    if (r.code !== 0) throw new Error(`batch for ${creds.deviceId}: ${r.stderr}`);
  };
  const requestUrl = async () => (await page.textContent('[data-testid=request-url]')) ?? '';
  /** Follows the URL the page shows, as the researcher's browser or curl would. */
  const follow = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res;
  };

  beforeAll(async () => {
    page = session.page;
    // One `airbox device add` process at a time: on a loaded machine they run slowly.
    for (const id of Object.keys(SENT)) await publishAll(await system.addDevice(id));
    await page.goto(system.url('/download?lang=en'));
    await waitForReady(page);
    // The page reads the time inputs in the browser's zone; the test writes them in Node's.
    const browserZone = await page.inputValue('input[name=tz]');
    expect(browserZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  }, 120_000);

  it('devices, a time range, raw readings, CSV: the exact series URL, and it downloads what the boxes sent', async () => {
    await page.fill('input[name=device]', 'dl-a, dl-b');
    await page.fill('input[name=from]', localInput(fromMs));
    await page.fill('input[name=to]', localInput(toMs));
    await page.selectOption('select[name=agg]', 'raw');
    await page.selectOption('select[name=format]', 'csv');

    const path =
      `/api/v1/series?device=dl-a%2Cdl-b&from=${encodeURIComponent(iso(fromMs))}` +
      `&to=${encodeURIComponent(iso(toMs))}&agg=raw&format=csv`;
    expect(await requestUrl()).toBe(system.url(path));
    const link = page.locator('[data-testid=download-link]');
    expect(await link.getAttribute('href')).toBe(path);
    expect(await link.getAttribute('download')).toBe('');

    const res = await follow(await requestUrl());
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = csvRows(await res.text());
    expect(rows.map((r) => [r['deviceId'], r['time'], Number(r['pm25UgM3'])])).toEqual(
      ['dl-a', 'dl-b'].flatMap((id) =>
        (SENT[id]?.readings ?? []).map(([minutes, pm25]) => [
          id,
          iso(fromMs + minutes * MINUTE_MS),
          pm25,
        ]),
      ),
    );
  });

  it('the Taipei preset, hourly means, JSON: the exact series URL, and it returns each hour’s mean of the boxes inside', async () => {
    await page.fill('input[name=device]', '');
    await page.selectOption('select[name=preset]', { label: 'Taipei' });
    expect(await page.inputValue('input[name=bbox]')).toBe(TAIPEI_BBOX);
    await page.selectOption('select[name=agg]', '1h');
    await page.selectOption('select[name=format]', 'json');

    const path =
      `/api/v1/series?bbox=${encodeURIComponent(TAIPEI_BBOX)}&from=${encodeURIComponent(iso(fromMs))}` +
      `&to=${encodeURIComponent(iso(toMs))}&agg=1h&format=json`;
    expect(await requestUrl()).toBe(system.url(path));
    const link = page.locator('[data-testid=download-link]');
    expect(await link.getAttribute('href')).toBe(path);
    expect(await link.getAttribute('download')).toBeNull();

    const body = (await (await follow(await requestUrl())).json()) as {
      agg: string;
      devices: string[];
      rows: { deviceId: string; hour: string; count: number; pm25UgM3: number }[];
    };
    expect(body.agg).toBe('1h');
    expect(body.devices).toEqual(['dl-a', 'dl-b']);
    const hour = (n: number) => iso(fromMs + n * HOUR_MS);
    expect(body.rows.map((r) => [r.deviceId, r.hour, r.count, r.pm25UgM3])).toEqual([
      ['dl-a', hour(0), 2, 15],
      ['dl-a', hour(1), 1, 30],
      ['dl-b', hour(0), 1, 40],
      ['dl-b', hour(1), 1, 50],
    ]);
  });

  it('daily means in a named time zone: the zone goes into the URL, and the days are that zone’s', async () => {
    await page.fill('input[name=device]', 'dl-a');
    await page.selectOption('select[name=agg]', '1d');
    await page.fill('input[name=tz]', 'Asia/Taipei');
    await page.selectOption('select[name=format]', 'csv');

    const path =
      `/api/v1/series?device=dl-a&from=${encodeURIComponent(iso(fromMs))}` +
      `&to=${encodeURIComponent(iso(toMs))}&agg=1d&tz=Asia%2FTaipei&format=csv`;
    expect(await requestUrl()).toBe(system.url(path));

    const rows = csvRows(await (await follow(await requestUrl())).text());
    // Each hour counts for the Taipei day it starts in (the two hours may straddle midnight).
    const taipeiDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' });
    const days = new Map<string, number[]>();
    for (const [minutes, pm25] of SENT['dl-a']?.readings ?? []) {
      const hourStart = fromMs + Math.floor(minutes / 60) * HOUR_MS;
      const day = taipeiDay.format(hourStart);
      days.set(day, [...(days.get(day) ?? []), pm25]);
    }
    expect(
      rows.map((r) => [r['deviceId'], r['day'], Number(r['count']), Number(r['pm25UgM3'])]),
    ).toEqual(
      [...days].map(([day, values]) => [
        'dl-a',
        day,
        values.length,
        values.reduce((a, b) => a + b, 0) / values.length,
      ]),
    );
    expect(session.seen.errors).toEqual([]);
  });

  it('lists the archived day with its Parquet file and says how to cite the data', async () => {
    // The day of the readings, archived by the operator's command while serve runs.
    const days = new Set(
      Object.values(SENT).flatMap((b) =>
        b.readings.map(([m]) => iso(fromMs + m * MINUTE_MS).slice(0, 10)),
      ),
    );
    for (const day of days) await system.airbox(['archive', '--day', day]);
    await page.goto(system.url('/download?lang=zh-TW'));
    await waitForReady(page);
    const rows = page.locator('[data-testid=archive-day]');
    expect(await rows.count()).toBe(days.size);
    const first = (await rows.first().textContent()) ?? '';
    expect(first).toContain([...days].sort().reverse()[0]);
    const parquet = await rows.first().locator('a', { hasText: 'Parquet' }).getAttribute('href');
    const file = await follow(system.url(parquet!));
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('PAR1');
    expect(await page.textContent('[data-testid=archive] h2')).toBe('每日封存資料');
    const citation = (await page.textContent('[data-testid=citation]')) ?? '';
    expect(citation).toContain('引用方式');
    expect(citation).toContain('https://creativecommons.org/licenses/by/4.0/');
    expect(session.seen.errors).toEqual([]);
  }, 60_000);
});
