import { requireBinary, startPtyPair, stopChild, waitFor, type PtyPair } from '@airbox/testkit';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PMS_COMMAND_BYTES,
  decodePmsCommand,
  encodePmsAck,
  encodePmsFrame,
  openPmsSensor,
  type PmsCommandName,
  type PmsFrameValues,
  type PmsReading,
  type PmsSensor,
} from '../src/index.ts';

/**
 * The driver through serialport's real native binding, on a real pseudo-terminal pair made
 * by Debian's socat: the driver opens one end, this test plays the sensor on the other.
 */
const skipReason = await requireBinary('socat');

const VALUES: PmsFrameValues = {
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
};

describe.skipIf(skipReason !== '')(skipReason || 'PmsSensor on a real pty pair (socat)', () => {
  let rig: { pty: PtyPair; device: SerialPort; sensor: PmsSensor } | undefined;
  const the = () => {
    if (!rig) throw new Error('the pty rig did not start (see beforeAll)');
    return rig;
  };
  /** Undone in reverse order, however far beforeAll got. */
  const cleanups: (() => Promise<unknown>)[] = [];
  /** How the fake sensor answers each command; tests replace it. */
  let answer: (name: PmsCommandName) => Uint8Array[] = () => [];
  const heard: PmsCommandName[] = [];

  const send = (chunk: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      the().device.write(Buffer.from(chunk), (err) => (err ? reject(err) : resolve())),
    );

  /** The test's end of the pair: decodes the host's 7-byte commands and answers them. */
  function actAsSensor(device: SerialPort): void {
    let inbox = Buffer.alloc(0);
    device.on('data', (chunk: Buffer) => {
      inbox = Buffer.concat([inbox, chunk]);
      while (inbox.length >= PMS_COMMAND_BYTES) {
        const name = decodePmsCommand(inbox.subarray(0, PMS_COMMAND_BYTES));
        inbox = inbox.subarray(name ? PMS_COMMAND_BYTES : 1);
        if (!name) continue;
        heard.push(name);
        for (const reply of answer(name)) void send(reply);
      }
    });
  }

  beforeAll(async () => {
    const pty = await startPtyPair();
    cleanups.push(() => stopChild(pty.child));
    const device = new SerialPort({ path: pty.sensorPath, baudRate: 9600 });
    cleanups.push(
      () => new Promise((resolve) => (device.isOpen ? device.close(resolve) : resolve(null))),
    );
    await new Promise((resolve, reject) => device.once('open', resolve).once('error', reject));
    actAsSensor(device);
    const sensor = await openPmsSensor(pty.hostPath, {
      model: 'PMS5003',
      warmUpMs: 0,
      readTimeoutMs: 1000,
    });
    cleanups.push(() => sensor.close());
    rig = { pty, device, sensor };
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('reads active-mode frames through noise, fake headers and torn writes', async () => {
    const { sensor } = the();
    const readings: PmsReading[] = [];
    const onReading = (r: PmsReading) => readings.push(r);
    sensor.on('reading', onReading);
    const first = encodePmsFrame('PMS5003', VALUES);
    const second = encodePmsFrame('PMS5003', { ...VALUES, pm25AtmUgM3: 31 });
    await send(Uint8Array.of(0xff, 0x42, 0x00, 0x42, 0x4d, 0x00, 0x1c, 0x07));
    await send(first.subarray(0, 5));
    await new Promise((r) => setTimeout(r, 30));
    await send(first.subarray(5));
    await send(Uint8Array.of(0x42, 0x4d, 0x12, 0x34, 0x42));
    await send(second);
    await waitFor('two readings over the pty', () => readings.length >= 2, 5000);
    sensor.off('reading', onReading);
    expect(readings.map((r) => r.pm25AtmUgM3)).toEqual([30, 31]);
    expect(readings[0]).toMatchObject({ model: 'PMS5003', versionByte: 0x97, warmedUp: true });
    const stats = sensor.stats();
    expect(stats.framesOk).toBe(2);
    expect(stats.rejected['bad-checksum'] + stats.rejected['bad-length']).toBeGreaterThanOrEqual(2);
  });

  it('switches to passive mode and reads on request', async () => {
    answer = (name) => {
      if (name === 'passive-mode') return [encodePmsAck(name)];
      if (name === 'passive-read')
        return [
          Uint8Array.of(0x00, 0x42),
          encodePmsFrame('PMS5003', { ...VALUES, pm25AtmUgM3: 55 }),
        ];
      return [];
    };
    const { sensor } = the();
    await sensor.setMode('passive');
    await waitFor('the passive-mode ack', () => sensor.stats().acks === 1, 5000);
    const reading = await sensor.read();
    expect(reading.pm25AtmUgM3).toBe(55);
    expect(heard).toEqual(['passive-mode', 'passive-read']);
  });

  it('times out naming the pty when the sensor stays silent', async () => {
    answer = () => [];
    const { sensor, pty } = the();
    await expect(sensor.read()).rejects.toMatchObject({
      code: 'PMS_READ_TIMEOUT',
      message: expect.stringContaining(`PMS5003 on ${pty.hostPath}: no valid frame within 1000 ms`),
    });
    expect(heard.at(-1)).toBe('passive-read');
  });
});
