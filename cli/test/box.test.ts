import type { StoredReading } from '@airbox/contracts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePmsFrame } from '@airbox/firmware-sim';
import { openSqliteRegistry } from '@airbox/registry';
import {
  requireBinary,
  ServeProcess,
  spawnUntil,
  startPtyPair,
  stopChild,
  tempDir,
  waitFor,
  waitForLogin,
} from '@airbox/testkit';

/**
 * A maker's whole path: a PMS5003 on a real serial line (a socat pseudo-terminal, the test
 * playing the sensor) → `airbox box` → MQTT → `airbox serve` → stored and served by the API.
 */
const skip = await requireBinary('socat');
const AIRBOX = fileURLToPath(new URL('../bin/airbox.js', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const FRAME = encodePmsFrame('PMS5003', {
  pm1Cf1UgM3: 21,
  pm25Cf1UgM3: 34,
  pm10Cf1UgM3: 40,
  pm1AtmUgM3: 19,
  pm25AtmUgM3: 30,
  pm10AtmUgM3: 37,
  countsPer100Ml: {
    gt0p3Um: 4200,
    gt0p5Um: 1250,
    gt1p0Um: 240,
    gt2p5Um: 20,
    gt5p0Um: 4,
    gt10Um: 1,
  },
  versionByte: 0x97,
  errorByte: 0,
});

describe.skipIf(skip !== '')(`airbox box on a serial line into airbox serve ${skip}`, () => {
  it('stores the sensor’s atmospheric PM as the box’s readings', { timeout: 60_000 }, async () => {
    const dir = tempDir('box-e2e');
    cleanups.push(dir.remove);
    const serve = new ServeProcess(join(dir.path, 'server'));
    cleanups.push(() => serve.stop());
    const ports = await serve.start();
    const registry = await openSqliteRegistry(join(dir.path, 'server', 'devices.db'));
    const creds = await registry.devices.add({ deviceId: 'e2e-box' });
    await registry.close();
    // Registered beside the running server, as `airbox device add` is: taken at its next poll.
    await waitForLogin(`mqtt://127.0.0.1:${ports.mqtt}`, creds);

    const pty = await startPtyPair();
    cleanups.push(() => stopChild(pty.child));
    const sensor = new SerialPort({ path: pty.sensorPath, baudRate: 9600 });
    cleanups.push(() => new Promise<void>((r) => (sensor.isOpen ? sensor.close(() => r()) : r())));
    // Active mode: the sensor sends a frame every so often, with a little line noise.
    const timer = setInterval(
      () => sensor.write(Buffer.concat([Buffer.from([0x00, 0x42]), FRAME])),
      200,
    );
    cleanups.push(() => clearInterval(timer));

    const { child, line } = await spawnUntil(
      process.execPath,
      [
        AIRBOX,
        'box',
        '--device-id',
        'e2e-box',
        '--broker-url',
        `mqtt://127.0.0.1:${ports.mqtt}`,
        '--password',
        creds.password,
        '--sensor-port',
        pty.hostPath,
        '--buffer-dir',
        join(dir.path, 'buffer'),
        '--interval-s',
        '2',
        '--samples-per-report',
        '2',
        '--http-port',
        '0',
        '--http-host',
        '127.0.0.1',
      ],
      /"event":"running"/,
    );
    cleanups.push(() => stopChild(child));

    const [reading] = await waitFor(
      'a reading of e2e-box through the API',
      async () => {
        const res = await fetch(serve.httpUrl('/api/v1/readings/latest?device=e2e-box'));
        const { readings } = (await res.json()) as { readings: StoredReading[] };
        return readings.length > 0 ? readings : undefined;
      },
      20_000,
      250,
    );
    expect(reading).toMatchObject({
      deviceId: 'e2e-box',
      pm1UgM3: 19,
      pm25UgM3: 30,
      pm10UgM3: 37,
      format: 'native-v1',
      firmware: '0.1.0',
    });

    // The box's own HTTP endpoints show the same reading and its health.
    const { httpPort } = JSON.parse(line) as { httpPort: number };
    const data = (await (await fetch(`http://127.0.0.1:${httpPort}/data.json`)).json()) as {
      reading: { pm25UgM3: number };
      status: { deviceId: string; online: boolean; firmware: string };
    };
    expect(data.reading.pm25UgM3).toBe(30);
    expect(data.status).toMatchObject({ deviceId: 'e2e-box', online: true, firmware: '0.1.0' });
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^airbox_box_pm25_ug_m3 30$/m);
    expect(metrics).toMatch(/^airbox_box_up 1$/m);
  });
});
