import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { jsonLines, runCli } from './run.ts';

const dir = tempDir('cli-device');
afterAll(() => dir.remove());

describe('airbox device', () => {
  it('adds a device and prints its credentials once, as JSON', async () => {
    const { code, stdout } = await runCli(['device', 'add', 'school-7', '--data-dir', dir.path]);
    expect(code).toBe(0);
    const creds = JSON.parse(stdout) as Record<string, string>;
    expect(Object.keys(creds)).toEqual(['deviceId', 'username', 'password']);
    expect(creds).toMatchObject({ deviceId: 'school-7', username: 'school-7' });
    expect(creds['password']!.length).toBeGreaterThanOrEqual(20);
  });

  it('lists devices without secrets, and says what to do about a second add', async () => {
    const again = await runCli(['device', 'add', 'school-7', '--data-dir', dir.path]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already registered (use 'rotate' for a new secret)");
    const list = jsonLines((await runCli(['device', 'list', '--data-dir', dir.path])).stdout);
    expect(list).toEqual([
      expect.objectContaining({ deviceId: 'school-7', role: 'device', revokedAt: null }),
    ]);
    expect(JSON.stringify(list)).not.toContain('password');
  });

  it('refuses an id that cannot be an MQTT topic level', async () => {
    const { code, stderr } = await runCli(['device', 'add', 'a/b', '--data-dir', dir.path]);
    expect(code).toBe(1);
    expect(stderr).toContain("device id 'a/b' is not valid");
  });
});

describe('airbox dead-letters', () => {
  it('prints stored dead letters with the payload as text and base64', async () => {
    const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
    await store.addDeadLetter({
      receivedAt: '2026-11-27T08:00:00.000Z',
      topic: 'airbox/v1/school-7/reading',
      payload: Buffer.from('{"pm25":'),
      clientId: 'school-7',
      code: 'invalid-json',
      reason: 'payload is not JSON: Unexpected end of JSON input',
    });
    await store.close();
    const { code, stdout } = await runCli(['dead-letters', '--data-dir', dir.path]);
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toEqual([
      expect.objectContaining({
        code: 'invalid-json',
        payloadText: '{"pm25":',
        payload: Buffer.from('{"pm25":').toString('base64'),
      }),
    ]);
  });
});
