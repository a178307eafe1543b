import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from './system.ts';
import { connackCode } from './clients.ts';

/**
 * A failed login is logged without the user name in full: with -u and -P swapped (an easy
 * slip with mosquitto_pub) the user name is the secret. Real broker, real sockets.
 */
const logs: string[] = [];
let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({
    log: (event, fields) => logs.push(JSON.stringify({ event, ...fields })),
  });
});
afterAll(async () => sys?.close());

describe('a failed login in the log', () => {
  it('names the user name by its first 3 characters and its length, never whole', async () => {
    const creds = await sys.devices.add({ deviceId: 'swap-box' });
    const swapped = { username: creds.password, password: creds.username, clientId: 'swap-box' };
    expect(await connackCode(sys.mqttUrl, swapped)).toBe(4);
    const line = logs.find((l) => l.includes('auth-refused'));
    expect(line).toBeDefined();
    expect(logs.join('\n')).not.toContain(creds.password);
    expect(JSON.parse(line!)).toMatchObject({
      clientId: 'swap-box',
      username: `${creds.password.slice(0, 3)}…`,
      usernameLength: creds.password.length,
    });
  });
});
