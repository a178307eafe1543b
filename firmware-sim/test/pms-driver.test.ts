import { waitFor } from '@airbox/testkit';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  PmsSensor,
  encodePmsAck,
  encodePmsCommand,
  encodePmsFrame,
  toHex,
  type PmsCommandName,
  type PmsFrameValues,
  type PmsModel,
  type PmsSensorOptions,
} from '../src/index.ts';

/**
 * The driver over serialport's mock binding: the same SerialPortStream the real port uses,
 * with bytes injected by `emitData` and every write recorded.
 */
const VALUES: PmsFrameValues = {
  pm1Cf1UgM3: 10,
  pm25Cf1UgM3: 16,
  pm10Cf1UgM3: 20,
  pm1AtmUgM3: 10,
  pm25AtmUgM3: 15,
  pm10AtmUgM3: 19,
};
const NOISE = Buffer.from([0x00, 0x42, 0x4d, 0x00, 0x1c, 0x42, 0x99]);

let portCount = 0;
const opened: SerialPortMock[] = [];

async function mockSensor(model: PmsModel, options: Partial<PmsSensorOptions> = {}) {
  const path = `/dev/ttyPMS${portCount++}`;
  SerialPortMock.binding.createPort(path, { record: true });
  const port = new SerialPortMock({ path, baudRate: 9600 });
  opened.push(port);
  await new Promise<void>((resolve, reject) => port.once('open', resolve).once('error', reject));
  const binding = port.port;
  if (!binding) throw new Error('mock port did not open');
  const sensor = new PmsSensor({ port, model, ...options });
  /** What the host has written so far, as hex. */
  const written = () => toHex(binding.recording);
  const hexOf = (...names: PmsCommandName[]) =>
    names.map((n) => toHex(encodePmsCommand(n))).join(' ');
  const sent = (...names: PmsCommandName[]) =>
    waitFor(`${names.join(', ')} on ${path}`, () => written() === hexOf(...names), 2000, 5);
  const emit = (...chunks: Uint8Array[]) => binding.emitData(Buffer.concat(chunks));
  return { path, port, sensor, sent, emit, written };
}

afterEach(async () => {
  const closing = opened
    .splice(0)
    .map((p) => new Promise<unknown>((resolve) => (p.isOpen ? p.close(resolve) : resolve(null))));
  await Promise.all(closing);
  SerialPortMock.binding.reset();
});

describe('PmsSensor in active mode (the power-up default)', () => {
  it('emits readings and counts what it rejected on the way', async () => {
    const { sensor, emit } = await mockSensor('PMS5003');
    const frame = encodePmsFrame('PMS5003', VALUES);
    const corrupt = frame.slice();
    corrupt[13] = (corrupt[13] ?? 0) ^ 0x04;
    const next = new Promise((resolve) => sensor.once('reading', resolve));
    emit(NOISE, corrupt, frame.subarray(0, 10));
    emit(frame.subarray(10));
    expect(await next).toMatchObject({ model: 'PMS5003', pm25AtmUgM3: 15, pm25Cf1UgM3: 16 });
    expect(sensor.stats()).toMatchObject({
      framesOk: 1,
      rejected: { 'bad-checksum': 2, 'bad-length': 0 },
    });
  });

  it('read() resolves with the next frame without writing anything', async () => {
    const { sensor, emit, written } = await mockSensor('PMS7003');
    const reading = sensor.read();
    emit(encodePmsFrame('PMS7003', { ...VALUES, pm25AtmUgM3: 42 }));
    expect(await reading).toMatchObject({ pm25AtmUgM3: 42, warmedUp: false });
    expect(written()).toBe('');
  });
});

describe('PmsSensor in passive mode', () => {
  it('sends the request and resolves with the frame that answers it', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 27, 8, 0, 0));
    const { sensor, sent, emit } = await mockSensor('PMS5003', { clock, warmUpMs: 0 });
    await sensor.setMode('passive');
    emit(encodePmsAck('passive-mode'));
    const reading = sensor.read();
    await sent('passive-mode', 'passive-read');
    emit(NOISE, encodePmsFrame('PMS5003', VALUES));
    expect(await reading).toMatchObject({
      pm25AtmUgM3: 15,
      receivedAtMs: Date.UTC(2026, 10, 27, 8, 0, 0),
      warmedUp: true,
    });
    expect(sensor.mode).toBe('passive');
    expect(sensor.stats()).toMatchObject({ framesOk: 1, acks: 1 });
  });

  it('rejects after the timeout with an error that names the port and what it saw', async () => {
    const { path, sensor, sent, emit } = await mockSensor('PMS5003', { readTimeoutMs: 150 });
    await sensor.setMode('passive');
    const reading = sensor.read();
    await sent('passive-mode', 'passive-read');
    const bad = encodePmsFrame('PMS5003', VALUES);
    bad[31] = (bad[31] ?? 0) + 1;
    emit(bad);
    await expect(reading).rejects.toMatchObject({
      name: 'PmsError',
      code: 'PMS_READ_TIMEOUT',
      message: expect.stringContaining(`PMS5003 on ${path}: no valid frame within 150 ms`),
    });
    await expect(reading).rejects.toThrow(/1 bad-checksum/);
    expect(sensor.stats().readTimeouts).toBe(1);
  });
});

describe('PmsSensor duty cycle', () => {
  it('sleeps, then wakes and waits out the warm-up before it reads', async () => {
    const clock = new ManualClock(1_000_000);
    const { sensor, sent, emit } = await mockSensor('PMS5003', { clock, warmUpMs: 30_000 });
    await sensor.setMode('passive');
    await sensor.sleep();
    await expect(sensor.read()).rejects.toMatchObject({ code: 'PMS_ASLEEP' });

    const reading = sensor.readAfterWarmUp();
    await sent('passive-mode', 'sleep', 'wake');
    await waitFor('the warm-up timer', () => clock.pendingTimers === 1, 2000, 5);
    clock.advanceMs(29_999);
    emit(encodePmsFrame('PMS5003', VALUES)); // the frame a PMS5003 sends on wake
    await waitFor('the wake frame', () => sensor.stats().framesOk === 1, 2000, 5);
    expect(sensor.stats().framesOk).toBe(1);
    clock.advanceMs(1);
    await sent('passive-mode', 'sleep', 'wake', 'passive-read');
    emit(encodePmsFrame('PMS5003', { ...VALUES, pm25AtmUgM3: 33 }));
    expect(await reading).toMatchObject({
      pm25AtmUgM3: 33,
      warmedUp: true,
      receivedAtMs: 1_030_000,
    });
  });

  it('flags frames during the warm-up as not warmed up', async () => {
    const clock = new ManualClock(0);
    const { sensor, emit } = await mockSensor('PMS7003', { clock, warmUpMs: 30_000 });
    const readings: boolean[] = [];
    sensor.on('reading', (r) => readings.push(r.warmedUp));
    emit(encodePmsFrame('PMS7003', VALUES));
    await waitFor('the first reading', () => readings.length === 1, 2000, 5);
    clock.advanceMs(30_000);
    emit(encodePmsFrame('PMS7003', VALUES));
    await waitFor('two readings', () => readings.length === 2, 2000, 5);
    expect(readings).toEqual([false, true]);
  });
});

describe('PmsSensor limits', () => {
  it('refuses serial commands on a PMS3003 but reads its stream', async () => {
    const { sensor, emit, written } = await mockSensor('PMS3003');
    await expect(sensor.setMode('passive')).rejects.toMatchObject({
      code: 'PMS_COMMAND_UNSUPPORTED',
    });
    await expect(sensor.sleep()).rejects.toThrow(/SET pin/);
    const reading = sensor.read();
    emit(encodePmsFrame('PMS3003', VALUES));
    expect(await reading).toMatchObject({
      model: 'PMS3003',
      pm25AtmUgM3: 15,
      countsPer100Ml: null,
    });
    expect(written()).toBe('');
  });

  it('close() fails a waiting read and stops listening', async () => {
    const { sensor, emit } = await mockSensor('PMS5003');
    const reading = sensor.read();
    await sensor.close();
    await expect(reading).rejects.toMatchObject({ code: 'PMS_CLOSED' });
    emit(encodePmsFrame('PMS5003', VALUES));
    await new Promise((r) => setTimeout(r, 20));
    expect(sensor.stats().framesOk).toBe(0);
    await expect(sensor.read()).rejects.toMatchObject({ code: 'PMS_CLOSED' });
  });
});
