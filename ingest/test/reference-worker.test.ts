import { describe, expect, it } from 'vitest';
import { loadReferenceStations } from '@airbox/geo';
import { nativeTopic } from '@airbox/protocol';
import { openSqliteStore } from '@airbox/store';
import { parseMoenvHourly, StreamWorker } from '../src/index.ts';

/** `StreamWorker.ingest` is `handle` without the decoding: one pipeline for both. */
const T0 = Date.UTC(2024, 4, 1, 6);
const stations = loadReferenceStations();
const doubling = {
  id: 'double@1',
  apply: (r: { pm25UgM3: number | null }) => (r.pm25UgM3 ?? 0) * 2,
};

function setup() {
  const store = openSqliteStore({ path: ':memory:' });
  const worker = new StreamWorker({ store, now: () => T0, calibration: () => doubling });
  return { store, worker };
}

const keelung = () =>
  parseMoenvHourly(
    [{ SiteName: '基隆', 'PM2.5': '12', PM10: '25', PublishTime: '2024-05-01 14:00' }],
    stations,
  ).readings;

describe('StreamWorker.ingest', () => {
  it('stores reference readings without recalibrating them, even with a model active', async () => {
    const { store, worker } = setup();
    const outcome = await worker.ingest(keelung(), T0 + 5000);
    expect(outcome).toEqual({ status: 'stored', readings: 1, duplicates: 0, deadLettered: 0 });
    const [stored] = await store.latest({ kind: 'reference' });
    expect(stored).toMatchObject({
      deviceId: 'EPA-Keelung',
      time: '2024-05-01T06:00:00.000Z',
      receivedAt: new Date(T0 + 5000).toISOString(),
      pm25UgM3: 12,
      pm25CalibratedUgM3: 12,
      calibrationModel: 'identity',
    });
    expect(worker.counters.messagesTotal).toBe(0); // not an MQTT message
    await store.close();
  });

  it('shares de-duplication with MQTT: the same (device, time) is stored once', async () => {
    const { store, worker } = setup();
    const reading = { time: new Date(T0).toISOString(), lat: 25.04, lon: 121.53, pm25UgM3: 10 };
    const msg = {
      topic: nativeTopic('box-1', 'reading'),
      payload: Buffer.from(JSON.stringify(reading)),
      clientId: 'box-1',
      receivedAtMs: T0 + 1000,
    };
    expect(await worker.handle(msg)).toMatchObject({ status: 'stored', readings: 1 });
    const [fromMqtt] = await store.series({ deviceIds: ['box-1'], fromMs: 0, toMs: T0 + 1 });
    const again = await worker.ingest([{ ...fromMqtt!, flags: [] }], T0 + 2000);
    expect(again).toMatchObject({ readings: 0, duplicates: 1 });
    expect(await worker.ingest(keelung(), T0)).toMatchObject({ readings: 1 });
    expect(await worker.ingest(keelung(), T0)).toMatchObject({ readings: 0, duplicates: 1 });
    expect(await store.countReadings()).toBe(2);
    await store.close();
  });

  it('still dead-letters the untimed items of an MQTT batch, and stores the others', async () => {
    const { store, worker } = setup();
    const items = [
      { time: new Date(T0).toISOString(), pm25UgM3: 8 },
      { time: '2080-01-06T00:00:00Z', pm25UgM3: 9 }, // a GPS default date: no trustworthy time
    ];
    const outcome = await worker.handle({
      topic: nativeTopic('box-2', 'batch'),
      payload: Buffer.from(JSON.stringify(items)),
      clientId: 'box-2',
      receivedAtMs: T0 + 1000,
    });
    expect(outcome).toEqual({ status: 'stored', readings: 1, duplicates: 0, deadLettered: 1 });
    expect(await store.deadLetters()).toEqual([
      expect.objectContaining({
        code: 'clock-invalid',
        reason: '1 of 2 readings have no trustworthy time; the others were stored',
      }),
    ]);
    await store.close();
  });
});
