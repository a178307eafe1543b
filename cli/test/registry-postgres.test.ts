import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AIRBOX_BIN,
  requirePostgres,
  run,
  ServeProcess,
  startPostgres,
  tempDir,
  waitFor,
  waitForLogin,
  type PostgresServer,
} from '@airbox/testkit';

const skip = await requirePostgres();

/**
 * Two `airbox serve` nodes with no file in common, sharing one registry on a real
 * PostgreSQL (`--registry postgres://…`), and `airbox device` and `account` run against it: a box
 * registered there logs in on both, a revoke closes its connections on both, and an account
 * made there signs in on both.
 */
describe.skipIf(skip !== '')(`airbox serve --registry postgres:// ${skip}`, () => {
  let pg: PostgresServer;
  let url: string;
  const dirs = [tempDir('pg-node-a'), tempDir('pg-node-b')];
  let nodes: ServeProcess[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase();
    nodes = dirs.map((d) => new ServeProcess(d.path, ['--no-refit', '--registry', url]));
    for (const node of nodes) await node.start();
  }, 120_000);
  afterAll(async () => {
    for (const node of nodes) await node.stop();
    for (const d of dirs) d.remove();
    await pg?.stop();
  });

  const device = async (...args: string[]) => {
    const r = await run(process.execPath, [AIRBOX_BIN, 'device', ...args, '--registry', url]);
    expect(r.stderr).not.toContain('postgres://');
    return r;
  };

  it('a box added with airbox device logs in on both nodes; a revoke closes both', async () => {
    const added = await device('add', 'pg-box-1');
    expect(added.code).toBe(0);
    const creds = JSON.parse(added.stdout) as { username: string; password: string };
    const brokers = nodes.map((n) => `mqtt://127.0.0.1:${n.ports!.mqtt}`);
    for (const b of brokers) await waitForLogin(b, creds);

    const clients = await Promise.all(
      brokers.map((b, i) =>
        mqtt.connectAsync(b, {
          ...creds,
          clientId: i === 0 ? 'pg-box-1' : 'pg-box-1-second',
          protocolVersion: 4,
          reconnectPeriod: 0,
        }),
      ),
    );
    expect((await device('revoke', 'pg-box-1')).code).toBe(0);
    await waitFor('both connections to close', () => clients.every((c) => !c.connected), 5_000);
    const listed = JSON.parse((await device('list')).stdout) as { revokedAt: string | null };
    expect(listed).toMatchObject({ deviceId: 'pg-box-1' });
    expect(listed.revokedAt).not.toBeNull();
  });

  it('an account made with airbox account on the shared registry signs in on both nodes', async () => {
    const r = await run(process.execPath, [
      AIRBOX_BIN,
      'account',
      'add',
      'ops@example.org',
      '--operator',
      '--registry',
      url,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { password } = JSON.parse(r.stdout) as { password: string };
    for (const node of nodes) {
      const res = await fetch(node.httpUrl('/api/v1/session'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@example.org', password }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ account: { operator: true } });
    }
  });

  it('an unreachable registry is named without its password', async () => {
    const r = await run(process.execPath, [
      AIRBOX_BIN,
      'device',
      'list',
      '--registry',
      'postgres://airbox:hunter2@127.0.0.1:1/nowhere',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('127.0.0.1:1/nowhere');
    expect(r.stderr).not.toContain('hunter2');
  });
});
