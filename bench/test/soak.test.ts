import { describe, expect, it } from 'vitest';
import { requireBinary, AIRBOX_BIN } from '@airbox/testkit';
import { runSoak } from '../src/soak.ts';

/**
 * `airbox bench soak` small: the same code as the 15,000-box run (two brokers, two stream
 * workers, Redis, InfluxDB, two simulator processes one per broker) with 300 boxes for 60 s
 * and the three faults compressed into it. The fleet runs at 15× (a reading every 4 s a box
 * instead of a minute): at real time 300 boxes make 5 readings a second, too few for a
 * 10 s InfluxDB outage or a worker crash to catch any in flight.
 */
const skip = (await requireBinary('redis-server')) || (await requireBinary('influxd'));

describe.skipIf(skip !== '')(`airbox bench soak, small ${skip}`, () => {
  it(
    'through a broker crash, a worker crash and an InfluxDB outage every acknowledged reading is stored once',
    { timeout: 180_000 },
    async () => {
      const printed: string[] = [];
      const r = await runSoak({
        airbox: [process.execPath, AIRBOX_BIN],
        devices: 300,
        durationS: 60,
        speed: 15,
        layout: 'direct',
        faults: { brokerAtS: 10, workerAtS: 24, influxAtS: 36, influxDownS: 10 },
        progressS: 15,
        drainTimeoutS: 60,
        progress: (m) => printed.push(m),
      });

      expect(r.problems).toEqual([]);
      // 300 boxes × 15 simulated minutes, a reading a minute each.
      expect(r.fleet.made).toBe(4500);
      expect(r.sent).toBe(r.fleet.made - r.fleet.dropped - r.fleet.unsent);
      expect(r.stored + r.untimedDeadLettered).toBe(r.sent);
      expect(r.duplicates).toBe(0);
      expect(r.devicesWithReadings).toBe(300);
      expect(r.pass).toBe(true);

      expect(r.faults.map((f) => [f.fault, f.error])).toEqual([
        ['broker-crash', null],
        ['worker-crash', null],
        ['influxdb-outage', null],
      ]);
      const outage = r.faults[2]!;
      expect(outage.backAtS! - outage.atS).toBeGreaterThanOrEqual(10);
      const starts = Object.fromEntries(r.processes.map((p) => [p.name, p.starts]));
      expect(starts).toMatchObject({ 'broker-a': 2, 'worker-1': 2, influxd: 2, 'broker-b': 1 });
      // Each fault is printed as it happens, with its time.
      for (const what of ['broker A', 'worker 1', 'InfluxDB']) {
        expect(printed.some((l) => new RegExp(`^00:\\d\\d FAULT ${what}`).test(l))).toBe(true);
      }
      expect(printed.some((l) => /^00:\d\d acked [\d,]+ \| stored /.test(l))).toBe(true);
    },
  );
});
