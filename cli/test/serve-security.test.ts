import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AIRBOX_BIN, run, spawnUntil, stopChild, tempDir, waitForLogin } from '@airbox/testkit';

/**
 * `airbox serve` as a real process on 127.0.0.1, attacked as the findings describe: dead
 * letters read by anyone and without bound, a box's refused payloads shown to everyone,
 * refusals flooding the store, and data files readable by every user of the machine.
 */

const TOKEN = 'op-0123456789abcdef0123456789abcdef';
const SECRET = 'wifi-password=hunter2';
const KB60 = Buffer.alloc(60 * 1024, 'x');

interface Creds {
  deviceId: string;
  username: string;
  password: string;
}

interface Serve {
  child: ChildProcess;
  http: string;
  mqttPort: number;
  dataDir: string;
}

/**
 * Starts serve under `sh` with the usual login umask (022) and the given environment: the
 * modes of its files are its own doing, not inherited from this test process.
 */
async function startServe(dataDir: string, args: string[], env: string[] = []): Promise<Serve> {
  const { child, line } = await spawnUntil(
    'sh',
    [
      '-c',
      'umask 022 && exec env "$@"',
      'sh',
      ...env,
      process.execPath,
      AIRBOX_BIN,
      'serve',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      ...args,
    ],
    /"event":"listening"/,
  );
  const { ports } = JSON.parse(line) as { ports: { http: number; mqtt: number } };
  return { child, http: `http://127.0.0.1:${ports.http}`, mqttPort: ports.mqtt, dataDir };
}

/** `airbox device add` beside the running server, which takes the box at its next poll. */
async function addDevice(serve: Serve, deviceId: string): Promise<Creds> {
  const r = await run(process.execPath, [
    AIRBOX_BIN,
    'device',
    'add',
    deviceId,
    '--data-dir',
    serve.dataDir,
  ]);
  if (r.code !== 0) throw new Error(`airbox device add ${deviceId}: ${r.stderr}`);
  const creds = JSON.parse(r.stdout) as Creds;
  await waitForLogin(`mqtt://127.0.0.1:${serve.mqttPort}`, creds);
  return creds;
}

/** One PUBLISH the broker refuses: it closes the connection (MQTT 3.1.1 has no negative ack). */
async function publishRefused(
  serve: Serve,
  creds: Creds,
  clientId: string,
  topic: string,
  payload: Buffer,
): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.mqttPort}`, {
    clientId,
    username: creds.username,
    password: creds.password,
    reconnectPeriod: 0,
  });
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.publish(topic, payload, { qos: 0 });
  await closed;
  await client.endAsync(true);
}

const basic = (scheme: string, c: Creds) =>
  `${scheme} ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function metric(serve: Serve, name: string): Promise<number> {
  const text = await (await fetch(`${serve.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

interface Letter {
  deviceId: string | null;
  clientId: string | null;
  payloadText: string;
  payloadBytes: number;
}

describe('airbox serve: dead letters, errors and files, against a real process', () => {
  const dir = tempDir('serve-security');
  let serve: Serve;
  let boxA: Creds;
  let boxB: Creds;

  beforeAll(async () => {
    const tokenFile = join(dir.path, 'operator-token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const dataDir = join(dir.path, 'fresh', 'data');
    serve = await startServe(dataDir, [
      '--operator-token-file',
      tokenFile,
      '--dead-letter-bytes',
      String(256 * 1024),
    ]);
    boxA = await addDevice(serve, 'box-a');
    boxB = await addDevice(serve, 'box-b');
    // box-a types a secret into a payload, on box-b's topic: refused, and it is box-a's.
    await publishRefused(serve, boxA, 'box-a', 'airbox/v1/box-b/reading', Buffer.from(SECRET));
    // Then floods refusals: 12 × 60 KB from one client id.
    for (let i = 0; i < 12; i++) {
      await publishRefused(serve, boxA, 'box-a', 'airbox/v1/box-a/config', KB60);
    }
  }, 120_000);
  afterAll(async () => {
    await stopChild(serve.child);
    dir.remove();
  });

  it('lists every box’s dead letters only with the operator token (from --operator-token-file)', async () => {
    const refused: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: basic('Basic', boxA) },
    ];
    for (const headers of refused) {
      const res = await fetch(`${serve.http}/api/v1/dead-letters`, { headers });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain('hunter2');
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'unauthorized' } });
    }
    const ok = await getJson(`${serve.http}/api/v1/dead-letters?limit=500`, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(ok.status).toBe(200);
    const letters = ok.body['deadLetters'] as Letter[];
    const secret = letters.find((l) => l.payloadText === SECRET);
    // The refusal belongs to the box that logged in, not to the box its topic names.
    expect(secret).toMatchObject({ deviceId: 'box-a', clientId: 'box-a' });
    expect(
      (
        await getJson(`${serve.http}/api/v1/dead-letters?limit=10000`, {
          authorization: `Bearer ${TOKEN}`,
        })
      ).status,
    ).toBe(400);
  });

  it('gives a box’s refused payloads to its owner only (HTTP Basic, any case)', async () => {
    const ofB = await getJson(`${serve.http}/api/v1/devices/box-b/dead-letters`, {
      authorization: basic('Basic', boxB),
    });
    expect(ofB.status).toBe(200);
    expect(JSON.stringify(ofB.body)).not.toContain('hunter2');
    const bAsA = await fetch(`${serve.http}/api/v1/devices/box-a/dead-letters`, {
      headers: { authorization: basic('Basic', boxB) },
    });
    expect(bAsA.status).toBe(401);
    const ofA = await getJson(`${serve.http}/api/v1/devices/box-a/dead-letters?limit=500`, {
      authorization: basic('basic', boxA),
    });
    expect(ofA.status).toBe(200);
    expect((ofA.body['deadLetters'] as Letter[]).map((l) => l.payloadText)).toContain(SECRET);
    // The maker page's own routes take the lower-case scheme too (RFC 7235 §2.1).
    const config = await fetch(`${serve.http}/app/v1/devices/box-a/config`, {
      headers: { authorization: basic('basic', boxA) },
    });
    expect(config.status).toBe(200);
  });

  it('keeps at most --dead-letter-bytes of a client’s refusals an hour, and counts the rest', async () => {
    const page = await getJson(`${serve.http}/api/v1/dead-letters?limit=500`, {
      authorization: `Bearer ${TOKEN}`,
    });
    const letters = page.body['deadLetters'] as Letter[];
    const keptBytes = letters.reduce((sum, l) => sum + l.payloadBytes, 0);
    expect(keptBytes).toBeLessThanOrEqual(256 * 1024);
    expect(letters).toHaveLength(5); // the secret and 4 × 60 KB
    // Every refusal still closed its connection and was counted.
    expect(await metric(serve, 'airbox_publish_refused_total')).toBe(13);
    expect(await metric(serve, 'airbox_dead_letters_dropped_total')).toBe(8);
    const drops = await getJson(`${serve.http}/api/v1/dead-letters/dropped`, {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(drops.body).toMatchObject({
      bytesPerClientPerHour: 256 * 1024,
      droppedOverBudgetTotal: 8,
      clients: [expect.objectContaining({ clientId: 'box-a', keptLetters: 5, droppedLetters: 8 })],
    });
    expect((await fetch(`${serve.http}/api/v1/dead-letters/dropped`)).status).toBe(401);
  });

  it('shows no payload, reason or client id of a dead letter on the public /status', async () => {
    const status = await getJson(`${serve.http}/status.json`);
    const letters = status.body['deadLetters'] as Record<string, unknown>[];
    expect(letters.length).toBeGreaterThan(0);
    for (const l of letters) expect(Object.keys(l).sort()).toEqual(['code', 'receivedAt', 'topic']);
    const page = await (await fetch(`${serve.http}/status`)).text();
    expect(page).not.toContain('hunter2');
    expect(page).not.toContain('box-a may not');
  });

  it('creates its data dir 0700 and every file in it 0600, under umask 022', () => {
    const found: string[] = [];
    const walk = (path: string): void => {
      const mode = statSync(path).mode & 0o777;
      if (statSync(path).isDirectory()) {
        expect(mode.toString(8), path).toBe('700');
        for (const name of readdirSync(path)) walk(join(path, name));
      } else {
        expect(mode.toString(8), path).toBe('600');
        found.push(path.slice(serve.dataDir.length + 1));
      }
    };
    walk(serve.dataDir);
    for (const file of ['readings.db', 'devices.db', 'calibration.sqlite']) {
      expect(found).toContain(file);
    }
    expect(found.some((f) => f.startsWith('broker/'))).toBe(true);
  });
});

describe('airbox serve: the operator token from the environment, and the dead-letter rate', () => {
  const dir = tempDir('serve-rate');
  let serve: Serve;

  beforeAll(async () => {
    const dataDir = join(dir.path, 'data');
    serve = await startServe(
      dataDir,
      ['--dead-letter-rate', '0.5'],
      [`AIRBOX_OPERATOR_TOKEN=${TOKEN}`],
    );
    const box = await addDevice(serve, 'flood-box');
    // 30 clients each refused once, as fast as they can: the store keeps the bucket's 5
    // (10 s' worth) and one more every 2 s.
    for (let i = 0; i < 30; i++) {
      await publishRefused(
        serve,
        box,
        `flood-${i}`,
        'airbox/v1/flood-box/config',
        Buffer.from('{}'),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await stopChild(serve.child);
    dir.remove();
  });

  it('keeps at most --dead-letter-rate letters a second over all clients', async () => {
    const page = await getJson(`${serve.http}/api/v1/dead-letters?limit=500`, {
      authorization: `bearer ${TOKEN}`,
    });
    expect(page.status).toBe(200);
    const kept = (page.body['deadLetters'] as Letter[]).length;
    const dropped = await metric(serve, 'airbox_dead_letters_dropped_total');
    expect(await metric(serve, 'airbox_publish_refused_total')).toBe(30);
    expect(kept + dropped).toBe(30);
    expect(kept).toBeGreaterThanOrEqual(5);
    expect(kept).toBeLessThanOrEqual(15);
  });

  it('refuses an operator token too short to be a secret', async () => {
    const short = join(dir.path, 'short-token');
    writeFileSync(short, 'hunter2\n');
    const r = await run(process.execPath, [AIRBOX_BIN, 'serve', '--operator-token-file', short]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('at least 16 characters');
  });
});
