import type { StoredReading } from '@airbox/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetter, ReadingStore } from '../src/index.ts';
import {
  HOUR_MS,
  MINUTE_MS,
  NON_UTF8_BYTES,
  T0_MS,
  asStored,
  boxReading,
  deadLetter,
  emptyReading,
  fullReading,
} from './readings.ts';
import { outOfRangeConformance } from './out-of-range-conformance.ts';
import { recalibrateConformance } from './recalibrate-conformance.ts';
import { seriesRowsConformance } from './series-rows-conformance.ts';

export interface ConformanceOptions {
  /** Wait this long after a write before reading back (for engines that index lazily). */
  settleMs?: number;
}

/**
 * The ReadingStore contract, through any adapter. `open` may return a store over data that
 * earlier tests or runs left behind (a shared InfluxDB bucket): every test uses device ids
 * and topics unique to this run, filters by them, and counts by difference.
 *
 * Times are compared in Date#toISOString form (UTC, milliseconds), which is what stores
 * return; an absent calibration reads back as null (see asStored).
 */
export function describeStoreConformance(
  name: string,
  open: () => Promise<ReadingStore>,
  opts: ConformanceOptions = {},
): void {
  describe(`ReadingStore conformance: ${name}`, () => {
    const run = Math.random().toString(36).slice(2, 8);
    const id = (what: string): string => `conf-${run}-${what}`;
    let store: ReadingStore;

    const settle = async (): Promise<void> => {
      if (opts.settleMs) await sleep(opts.settleMs);
    };
    const write = async (readings: StoredReading[]) => {
      const result = await store.write(readings);
      await settle();
      return result;
    };
    const seriesOf = (
      deviceIds: string[],
      fromMs = T0_MS - 10 * HOUR_MS,
      toMs = T0_MS + 10 * HOUR_MS,
    ) => store.series({ deviceIds, fromMs, toMs });

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('reads back every field of a fully populated reading', async () => {
      const reading = fullReading(id('full'), T0_MS);
      expect(await write([reading])).toEqual({ written: 1, duplicates: 0 });
      expect(await seriesOf([reading.deviceId])).toEqual([reading]);
    });

    it('reads back a reading with null values, flags and no optional fields', async () => {
      const reading = emptyReading(id('empty'), T0_MS);
      await write([reading]);
      const [stored] = await seriesOf([reading.deviceId]);
      expect(stored).toEqual(asStored(reading));
      expect(stored?.flags).toEqual(reading.flags);
      expect(stored).not.toHaveProperty('deviceTime');
    });

    it('counts duplicates and keeps the first reading of a (device, time)', async () => {
      const deviceId = id('dup');
      const first = boxReading(deviceId, T0_MS, { pm25UgM3: 10 });
      const again = boxReading(deviceId, T0_MS, {
        pm25UgM3: 99,
        receivedAt: '2024-03-02T00:00:00.000Z',
      });
      const next = boxReading(deviceId, T0_MS + MINUTE_MS);
      expect(await write([first])).toEqual({ written: 1, duplicates: 0 });
      expect(await write([again, next])).toEqual({ written: 1, duplicates: 1 });
      expect(await write([next, next])).toEqual({ written: 0, duplicates: 2 });
      expect(await seriesOf([deviceId])).toEqual([first, next]);
    });

    it('counts a key repeated inside one call once', async () => {
      const reading = boxReading(id('dup-in-call'), T0_MS);
      expect(await write([reading, { ...reading, pm25UgM3: 50 }])).toEqual({
        written: 1,
        duplicates: 1,
      });
      expect(await seriesOf([reading.deviceId])).toEqual([reading]);
    });

    it('orders late and out-of-order readings by time, and keeps latest at the newest', async () => {
      const deviceId = id('late');
      const t1 = boxReading(deviceId, T0_MS);
      const t2 = boxReading(deviceId, T0_MS + 5 * MINUTE_MS);
      const t3 = boxReading(deviceId, T0_MS + 10 * MINUTE_MS);
      await write([t3]);
      await write([t1]);
      await write([t2]);
      expect(await seriesOf([deviceId])).toEqual([t1, t2, t3]);
      expect(await store.latest({ deviceIds: [deviceId] })).toEqual([t3]);
    });

    it('returns series in [from, to), ordered by device then time, for the asked devices', async () => {
      const [a, b, other] = [id('series-a'), id('series-b'), id('series-other')];
      const at = (deviceId: string, m: number) => boxReading(deviceId, T0_MS + m * MINUTE_MS);
      await write([at(b, 30), at(a, 60), at(a, 0), at(b, 0), at(a, 30), at(other, 30)]);
      const got = await seriesOf([b, a], T0_MS, T0_MS + 60 * MINUTE_MS);
      expect(got).toEqual([at(a, 0), at(a, 30), at(b, 0), at(b, 30)]);
      expect(await seriesOf([a], T0_MS + 1, T0_MS + 60 * MINUTE_MS + 1)).toEqual([
        at(a, 30),
        at(a, 60),
      ]);
      expect(await seriesOf([], T0_MS, T0_MS + HOUR_MS)).toEqual([]);
      expect(await seriesOf([id('never-seen')])).toEqual([]);
    });

    it('returns the latest reading per device, filtered by ids, kind and since', async () => {
      const [a, b, c] = [id('latest-a'), id('latest-b'), id('latest-c')];
      const a2 = boxReading(a, T0_MS + 20 * MINUTE_MS);
      const reference = boxReading(b, T0_MS, {
        kind: 'reference',
        format: 'lass-opendata',
        app: 'EPA',
        firmware: null,
      });
      const stale = boxReading(c, T0_MS - 48 * HOUR_MS);
      await write([a2, reference, stale]);
      await write([boxReading(a, T0_MS)]);
      const byId = (rs: StoredReading[]) =>
        [...rs].sort((x, y) => (x.deviceId < y.deviceId ? -1 : 1));
      const latest = async (q: Parameters<ReadingStore['latest']>[0]) =>
        byId(await store.latest(q));
      const all = [a, b, c];
      expect(await latest({ deviceIds: all })).toEqual([a2, reference, stale]);
      expect(await latest({ deviceIds: all, kind: 'reference' })).toEqual([reference]);
      expect(await latest({ deviceIds: all, kind: 'box' })).toEqual([a2, stale]);
      expect(await latest({ deviceIds: all, sinceMs: T0_MS })).toEqual([a2, reference]);
      expect(await latest({ deviceIds: all, sinceMs: T0_MS + 1 })).toEqual([a2]);
      expect(await latest({ deviceIds: [c] })).toEqual([stale]);
      expect(await latest({ deviceIds: [] })).toEqual([]);
      const unfiltered = await store.latest();
      expect(unfiltered).toEqual(expect.arrayContaining([a2, reference, stale]));
    });

    it('keeps hourly means exact, with a late reading and without duplicates', async () => {
      const [deviceId, silent] = [id('hourly'), id('hourly-silent')];
      const at = (m: number, o: Partial<StoredReading> = {}) =>
        boxReading(deviceId, T0_MS + m * MINUTE_MS, o);
      const gaps = { pm1UgM3: null, pm10UgM3: null, temperatureC: null, humidityPct: null };
      await write([
        at(5, { pm25UgM3: 10, pm10UgM3: 20, temperatureC: 25, humidityPct: 60 }),
        at(70, { pm25UgM3: 40 }),
        at(20, { pm25UgM3: 20, pm25CalibratedUgM3: 15, calibrationModel: 'm1', ...gaps }),
        emptyReading(silent, T0_MS + 15 * MINUTE_MS),
      ]);
      // Late: the hour before last already has readings when this one arrives.
      await write([
        at(50, {
          pm25UgM3: 30,
          pm10UgM3: 40,
          temperatureC: 27,
          humidityPct: 70,
          pm25CalibratedUgM3: 25,
        }),
      ]);
      expect(await write([at(5, { pm25UgM3: 999 })])).toEqual({ written: 0, duplicates: 1 });

      const query = { deviceIds: [silent, deviceId], fromMs: T0_MS, toMs: T0_MS + 2 * HOUR_MS };
      expect(await store.hourly(query)).toEqual([
        {
          deviceId,
          hour: '2024-03-01T10:00:00.000Z',
          count: 3,
          pm25UgM3: expect.closeTo(20, 9),
          pm25CalibratedUgM3: expect.closeTo(20, 9),
          pm10UgM3: expect.closeTo(30, 9),
          pm1UgM3: expect.closeTo(8, 9),
          temperatureC: expect.closeTo(26, 9),
          humidityPct: expect.closeTo(65, 9),
        },
        expect.objectContaining({
          deviceId,
          hour: '2024-03-01T11:00:00.000Z',
          count: 1,
          pm25UgM3: expect.closeTo(40, 9),
        }),
        {
          deviceId: silent,
          hour: '2024-03-01T10:00:00.000Z',
          count: 1,
          pm25UgM3: null,
          pm25CalibratedUgM3: null,
          pm10UgM3: null,
          pm1UgM3: null,
          temperatureC: null,
          humidityPct: null,
        },
      ]);
      // Hours *starting* in [from, to): 10:00 starts before 10:01, 11:00 is at `to`.
      const shifted = {
        deviceIds: [deviceId],
        fromMs: T0_MS + MINUTE_MS,
        toMs: T0_MS + 2 * HOUR_MS,
      };
      expect((await store.hourly(shifted)).map((h) => h.hour)).toEqual([
        '2024-03-01T11:00:00.000Z',
      ]);
      const first = { deviceIds: [deviceId], fromMs: T0_MS, toMs: T0_MS + HOUR_MS };
      expect((await store.hourly(first)).map((h) => h.hour)).toEqual(['2024-03-01T10:00:00.000Z']);
    });

    it('keeps dead-letter payload bytes identical, including non-UTF-8 and empty ones', async () => {
      const topic = `LASS/Test/${id('dl-bytes')}`;
      const sinceMs = Date.now() - HOUR_MS;
      const letters: DeadLetter[] = [
        deadLetter(topic, sinceMs + 1_000, NON_UTF8_BYTES),
        {
          ...deadLetter(topic, sinceMs + 2_000, new Uint8Array(0)),
          clientId: null,
          code: 'empty-payload',
        },
      ];
      for (const letter of letters) await store.addDeadLetter(letter);
      await settle();
      const got = (await store.deadLetters({ sinceMs, limit: 1_000 })).filter(
        (l) => l.topic === topic,
      );
      expect(got).toHaveLength(2);
      // Newest first: the empty payload arrived last.
      for (const [stored, sent] of zip(got, [...letters].reverse())) {
        const { id: letterId, payload, ...fields } = stored;
        // The port lets a store assign ids; when it does, they are numbers.
        if (letterId !== undefined) expect(letterId).toEqual(expect.any(Number));
        const { payload: sentPayload, ...sentFields } = sent;
        expect(payload).toBeInstanceOf(Uint8Array);
        expect(Array.from(payload)).toEqual(Array.from(sentPayload));
        expect(fields).toEqual(sentFields);
      }
    });

    it('lists dead letters newest first, with limit and since', async () => {
      const topic = `LASS/Test/${id('dl-order')}`;
      const baseMs = Date.now();
      const bytes = new TextEncoder().encode('|ver_format=9|');
      for (const offsetMs of [0, 2_000, 1_000]) {
        await store.addDeadLetter(deadLetter(topic, baseMs + offsetMs, bytes));
      }
      await settle();
      const times = async (q: { limit?: number; sinceMs?: number }) =>
        (await store.deadLetters(q))
          .filter((l) => l.topic === topic)
          .map((l) => Date.parse(l.receivedAt) - baseMs);
      expect(await times({ sinceMs: baseMs })).toEqual([2_000, 1_000, 0]);
      expect(await times({ sinceMs: baseMs + 1_000 })).toEqual([2_000, 1_000]);
      expect(await times({ sinceMs: baseMs, limit: 2 })).toEqual([2_000, 1_000]);
    });

    it('pages one box’s dead letters with beforeId, each payload cut to a preview', async () => {
      const deviceId = id('dl-page');
      const topic = `airbox/v1/${deviceId}/reading`;
      const sinceMs = Date.now() - HOUR_MS;
      const payload = new Uint8Array(3_000).map((_, i) => i % 251);
      // Received out of order, two in one millisecond: listed by time, then id.
      for (const offsetMs of [0, 4_000, 2_000, 2_000, 1_000]) {
        await store.addDeadLetter({ ...deadLetter(topic, sinceMs + offsetMs, payload), deviceId });
      }
      await store.addDeadLetter(deadLetter(topic, sinceMs + 3_000, payload)); // no box: operators'
      await settle();
      const pages: number[][] = [];
      let beforeId: number | undefined;
      for (let page = 0; page < 5; page++) {
        const letters = await store.deadLetters({
          deviceId,
          sinceMs,
          limit: 2,
          beforeId,
          previewBytes: 100,
        });
        if (letters.length === 0) break;
        for (const l of letters) {
          expect(l.deviceId).toBe(deviceId);
          expect(l.payloadBytes).toBe(3_000);
          expect(Array.from(l.payload)).toEqual(Array.from(payload.subarray(0, 100)));
        }
        pages.push(letters.map((l) => Date.parse(l.receivedAt) - sinceMs));
        beforeId = letters.at(-1)?.id;
      }
      expect(pages).toEqual([[4_000, 2_000], [2_000, 1_000], [0]]);
      const everyone = (await store.deadLetters({ sinceMs, limit: 1_000 })).filter(
        (l) => l.topic === topic,
      );
      expect(everyone.map((l) => l.deviceId ?? null)).toEqual([
        deviceId,
        null,
        deviceId,
        deviceId,
        deviceId,
        deviceId,
      ]);
      expect(everyone[0]?.payloadBytes).toBeUndefined();
      expect(everyone[0]?.payload).toHaveLength(3_000);
    });

    recalibrateConformance({ store: () => store, id, write, settle });
    seriesRowsConformance({ store: () => store, id, write });
    outOfRangeConformance({ store: () => store, id, write });

    it('counts stored readings, not duplicates, and reports its buffers', async () => {
      const deviceId = id('count');
      const before = await store.countReadings();
      const readings = [0, 1, 2].map((m) => boxReading(deviceId, T0_MS + m * MINUTE_MS));
      expect(await write([])).toEqual({ written: 0, duplicates: 0 });
      await write([...readings, ...readings.slice(0, 1)]);
      expect((await store.countReadings()) - before).toBe(3);
      const stats = store.stats();
      for (const value of Object.values(stats)) expect(value).toBeGreaterThanOrEqual(0);
      expect(Object.keys(stats).sort()).toEqual([
        'droppedReadings',
        'pendingReadings',
        'retries',
        'spilledReadings',
      ]);
    });
  });
}

function zip<A, B>(as: A[], bs: B[]): [A, B][] {
  const pairs: [A, B][] = [];
  as.forEach((a, i) => {
    const b = bs[i];
    if (b !== undefined) pairs.push([a, b]);
  });
  return pairs;
}
