import { requirePostgres, startPostgres, waitFor, type PostgresServer } from '@airbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RegistryView,
  openPostgresRegistry,
  verifyCredential,
  type Registry,
} from '../src/index.ts';
import { registryConformance } from './conformance.ts';

const skip = await requirePostgres();

// One server for the file; each test gets a database of its own (createdb, ~50 ms).
describe.skipIf(skip)('PostgreSQL registry', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  registryConformance('PostgreSQL', async () => {
    const url = await server.createDatabase();
    const opened: Registry[] = [await openPostgresRegistry(url)];
    return {
      registry: opened[0]!,
      openAnother: async (options) => {
        const other = await openPostgresRegistry(url, options);
        opened.push(other);
        return other;
      },
      cleanup: async () => {
        await Promise.all(opened.map((r) => r.close()));
      },
    };
  });
});

/**
 * What SQLite never shows: its BEGIN IMMEDIATE lets one writer in at a time, while PostgreSQL
 * runs transactions side by side (READ COMMITTED), from one pool or several brokers.
 */
describe.skipIf(skip)('PostgreSQL registry under concurrent writers', () => {
  let server: PostgresServer;
  const opened: Registry[] = [];
  const open = async (url: string) => {
    const r = await openPostgresRegistry(url);
    opened.push(r);
    return r;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(opened.map((r) => r.close()));
    await server?.stop();
  });

  it('two brokers starting at once on an empty database migrate it once', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    await a.devices.add({ deviceId: 'm-1' });
    expect((await b.devices.get('m-1'))?.deviceId).toBe('m-1');
  });

  it('one id added from two places at once: one registers it, the other hears exists', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    const tries = await Promise.allSettled(
      [a, b, a, b].map((r) => r.devices.add({ deviceId: 'same' })),
    );
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1);
    for (const t of tries.filter((t) => t.status === 'rejected'))
      expect(t.reason).toMatchObject({ code: 'exists' });
  });

  it('issueMany for one new id from two places at once: both answer, the last secret works', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    const issued = await Promise.all([a, b, a, b].map((r) => r.devices.issueMany(['fleet-x'])));
    const { devices } = await a.devices.snapshot();
    const stored = devices.find((d) => d.deviceId === 'fleet-x')!.credential;
    const working = issued.filter(([c]) => verifyCredential(stored, c!.password));
    expect(working).toHaveLength(1);
  });

  it('two dispatchers claiming at once never lease one message to both', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([open(url), open(url)]);
    for (let i = 0; i < 200; i++) {
      await a.alertOutbox.enqueue({
        key: `k${i}`,
        subscriptionId: `sub-${i}`,
        channelJson: '{}',
        locale: 'en',
        eventJson: '{}',
        quietHoursJson: null,
        areaJson: null,
      });
    }
    const claims = await Promise.all(
      [a, b, a, b].map((r, i) => r.alertOutbox.claimDue(`node-${i}`, 80, 60_000)),
    );
    const keys = claims.flat().map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(80);
  });

  it('two owners removing each other at once leave the organisation one owner', async () => {
    const url = await server.createDatabase();
    const r = await open(url);
    const [alice, bob] = await Promise.all(
      ['alice', 'bob'].map((n) =>
        r.accounts.create({
          email: `${n}@example.org`,
          password: 'correct horse battery',
          displayName: n,
        }),
      ),
    );
    for (let round = 0; round < 5; round++) {
      const org = await r.orgs.create({ name: `Club ${round}`, kind: 'community' }, alice!.id);
      await r.orgs.setMember(org.id, bob!.id, 'owner');
      await Promise.allSettled([
        r.orgs.removeMember(org.id, alice!.id),
        r.orgs.removeMember(org.id, bob!.id),
      ]);
      const owners = (await r.orgs.members(org.id)).filter((m) => m.role === 'owner');
      expect(owners).toHaveLength(1);
    }
  });

  it('a view misses no box while many are added from two places at once', async () => {
    const url = await server.createDatabase();
    const [a, b, watcher] = await Promise.all([open(url), open(url), open(url)]);
    const view = await RegistryView.open(watcher.devices, { pollIntervalMs: 5 });
    try {
      const ids = Array.from({ length: 120 }, (_, i) => `burst-${i}`);
      await Promise.all(ids.map((id, i) => (i % 2 ? a : b).devices.add({ deviceId: id })));
      await waitFor('the view to see every box', () => ids.every((id) => view.has(id)), 5_000, 10);
    } finally {
      view.close();
    }
  });

  it('is unavailable while the server is down, keeps the view serving, and goes on after', async () => {
    const url = await server.createDatabase();
    const r = await open(url);
    const creds = await r.devices.add({ deviceId: 'steady' });
    const view = await RegistryView.open(r.devices, { pollIntervalMs: 20 });
    try {
      await server.kill();
      await expect(r.devices.get('steady')).rejects.toMatchObject({ code: 'unavailable' });
      await waitFor('the view to notice', () => view.stale, 5_000, 10);
      expect(view.verify('steady', creds.password)?.role).toBe('device');
      await server.restart();
      await r.devices.revoke('steady');
      await waitFor('the view to see the revoke', () => view.stamp('steady') === null, 5_000, 10);
      expect(view.stale).toBe(false);
    } finally {
      view.close();
    }
  });
});
