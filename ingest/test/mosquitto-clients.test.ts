import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { requireBinary, run, waitFor } from '@airbox/testkit';
import { startSystem, type TestSystem } from './system.ts';

/**
 * Debian's mosquitto_pub / mosquitto_sub as third-party clients against our broker:
 * what a maker with stock tools sees.
 */
const skip = await requireBinary('mosquitto_pub');
const FIXTURES = fileURLToPath(
  new URL('../../packages/protocol/test/fixtures/lass/', import.meta.url),
);

let sys: TestSystem;
let port: string;
beforeAll(async () => {
  if (skip) return;
  sys = await startSystem({ allowAnonymousLass: true });
  port = String(sys.broker.ports.mqtt);
});
afterAll(async () => sys?.close());

const reading = (pm25: number, minute = 0) =>
  JSON.stringify({
    time: `2026-11-27T08:${String(minute).padStart(2, '0')}:00Z`,
    lat: 25.04,
    lon: 121.53,
    pm25UgM3: pm25,
  });

/** A Debian mosquitto client against our broker, MQTT 3.1.1; `creds` null = anonymous. */
function mosquitto(
  tool: 'mosquitto_pub' | 'mosquitto_sub',
  creds: { username: string; password: string } | null,
  args: string[],
  input?: string,
) {
  const auth = creds === null ? [] : ['-u', creds.username, '-P', creds.password];
  return run(tool, ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', ...auth, ...args], { input });
}

function pub(username: string, password: string, topic: string, message: string) {
  return mosquitto('mosquitto_pub', { username, password }, [
    '-q',
    '1',
    '-t',
    topic,
    '-m',
    message,
  ]);
}

describe.skipIf(skip !== '')(`our broker with Debian's mosquitto clients ${skip}`, () => {
  it('accepts a registered device and stores its reading before acknowledging it', async () => {
    const creds = await sys.devices.add({ deviceId: 'mq-box-1' });
    const result = await pub(
      creds.username,
      creds.password,
      nativeTopic('mq-box-1', 'reading'),
      reading(12.5),
    );
    expect(result.code, result.stderr).toBe(0);
    // QoS 1 acknowledged only after the store commit: the reading is there already.
    const stored = await sys.store.latest({ deviceIds: ['mq-box-1'] });
    expect(stored).toMatchObject([
      { deviceId: 'mq-box-1', pm25UgM3: 12.5, time: '2026-11-27T08:00:00.000Z' },
    ]);
  });

  it('refuses a wrong password and an unknown user', async () => {
    await sys.devices.add({ deviceId: 'mq-box-2' });
    const wrong = await pub(
      'mq-box-2',
      'not-the-password',
      nativeTopic('mq-box-2', 'reading'),
      reading(1),
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/not authori[sz]ed|bad user name or password/i);
    const unknown = await pub('nobody', 'x', nativeTopic('nobody', 'reading'), reading(1));
    expect(unknown.code).not.toBe(0);
    expect(await sys.store.latest({ deviceIds: ['mq-box-2', 'nobody'] })).toEqual([]);
  });

  it("refuses a device publishing on another device's topic, and keeps a dead letter saying so", async () => {
    const a = await sys.devices.add({ deviceId: 'mq-box-3' });
    await sys.devices.add({ deviceId: 'mq-box-4' });
    const result = await pub(
      a.username,
      a.password,
      nativeTopic('mq-box-4', 'reading'),
      reading(99),
    );
    expect(result.code).not.toBe(0); // connection closed, PUBLISH not acknowledged
    expect(await sys.store.latest({ deviceIds: ['mq-box-4'] })).toEqual([]);
    const letters = await sys.store.deadLetters({ limit: 10 });
    expect(letters.find((l) => l.topic === nativeTopic('mq-box-4', 'reading'))).toMatchObject({
      code: 'not-authorized',
      clientId: expect.any(String),
      reason: expect.stringContaining("may not publish on mq-box-4's topic"),
    });
  });

  it('refuses LASS data whose device_id is not the authenticated device', async () => {
    const a = await sys.devices.add({ deviceId: 'mq-box-5' });
    const payload =
      '|ver_format=3|app=PM25|device_id=FT1_999|date=2026-11-27|time=08:00:00|s_d0=5.00';
    await pub(a.username, a.password, 'LASS/Test/PM25', payload);
    expect(await sys.store.latest({ deviceIds: ['FT1_999'] })).toEqual([]);
    const letters = await sys.store.deadLetters({ limit: 10 });
    expect(letters.find((l) => l.code === 'device-mismatch')?.reason).toContain(
      'device_id=FT1_999',
    );
  });

  it('lets a device read its own config but not another device’s', async () => {
    const a = await sys.devices.add({ deviceId: 'mq-box-6' });
    const service = await sys.devices.add({ deviceId: 'mq-service', role: 'service' });
    const sub = mosquitto('mosquitto_sub', a, [
      '-t',
      nativeTopic('mq-box-6', 'config'),
      '-C',
      '1',
      '-W',
      '5',
    ]);
    await new Promise((r) => setTimeout(r, 500));
    await pub(
      service.username,
      service.password,
      nativeTopic('mq-box-6', 'config'),
      '{"intervalS":30}',
    );
    expect((await sub).stdout.trim()).toBe('{"intervalS":30}');

    const other = await mosquitto('mosquitto_sub', a, [
      '-t',
      'airbox/v1/+/reading',
      '-C',
      '1',
      '-W',
      '2',
    ]);
    expect(other.stderr + other.stdout).toMatch(/subscription requests were denied/i);
  });

  it('stores every message of the real 2015 LASS capture, published anonymously line by line', async () => {
    const lines = readFileSync(`${FIXTURES}capture-2015-10-09-part1.txt`, 'utf8')
      .trim()
      .split('\n');
    const payloads = lines.map((l) => l.slice(l.indexOf(' ') + 1)).join('\n');
    const topic = lines[0]!.split(' ')[0]!;
    const result = await mosquitto(
      'mosquitto_pub',
      null,
      ['-q', '1', '-t', topic, '-l'],
      payloads + '\n',
    );
    expect(result.code, result.stderr).toBe(0);
    const stored = await waitFor('300 readings of LASS-Hello1', async () => {
      const rows = await sys.store.series({
        deviceIds: ['LASS-Hello1'],
        fromMs: 0,
        toMs: Date.now() + 86_400_000,
      });
      return rows.length === 300 ? rows : undefined;
    });
    expect(stored.filter((r) => r.flags.includes('clock-invalid'))).toHaveLength(144);
    expect(stored.filter((r) => r.time.startsWith('2015-10-09'))).toHaveLength(156);
  });

  it('refuses anonymous publishers on native topics even with --allow-anonymous-lass', async () => {
    const result = await mosquitto('mosquitto_pub', null, [
      '-q',
      '1',
      '-t',
      nativeTopic('anon', 'reading'),
      '-m',
      reading(3),
    ]);
    // MQTT 3.1.1 has no refusal to send: the broker closes the connection.
    expect(result.code).not.toBe(0);
    expect(await sys.store.latest({ deviceIds: ['anon'] })).toEqual([]);
    const letters = await sys.store.deadLetters({ limit: 50 });
    expect(letters.find((l) => l.topic === nativeTopic('anon', 'reading'))?.reason).toContain(
      'anonymous',
    );
  });
});
