import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@airbox/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RegistryView,
  verifyCredential,
  type CredentialRow,
  type Registry,
  type RegistryOptions,
} from '../src/index.ts';
import { accountConformance } from './conformance-accounts.ts';
import { outboxConformance } from './conformance-outbox.ts';
import { alertConformance } from './conformance-alerts.ts';
import { expectCode } from './expect-code.ts';

export interface FreshRegistry {
  registry: Registry;
  /** A second Registry on the same database, as another process or broker would open it. */
  openAnother(options?: RegistryOptions): Promise<Registry>;
  cleanup(): Promise<void>;
}

/** The Registry contract, through any adapter: each test gets an empty database. */
export function registryConformance(name: string, openFresh: () => Promise<FreshRegistry>): void {
  describe(`Registry conformance: ${name}`, () => {
    let fresh: FreshRegistry;
    const r = (): Registry => fresh.registry;

    beforeEach(async () => {
      fresh = await openFresh();
    });
    afterEach(async () => {
      await fresh.cleanup();
    });

    describeDevices(r);
    describeChanges(() => fresh);
    accountConformance(r);
    outboxConformance(() => fresh);
    alertConformance(r);
  });
}

async function credentialOf(registry: Registry, deviceId: string): Promise<CredentialRow> {
  const { devices } = await registry.devices.snapshot();
  const found = devices.find((d) => d.deviceId === deviceId);
  if (!found) throw new Error(`${deviceId} is not in the snapshot`);
  return found.credential;
}

function describeDevices(r: () => Registry): void {
  describe('devices', () => {
    it('registers a box once, with the defaults, and refuses its id again or malformed', async () => {
      const creds = await r().devices.add({ deviceId: 'box-1' });
      expect(creds).toMatchObject({ deviceId: 'box-1', username: 'box-1' });
      expect(creds.password).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(await r().devices.get('box-1')).toMatchObject({
        role: 'device',
        placement: 'outdoor',
        visibility: 'public',
        exactPosition: false,
        owner: null,
        anonymousLass: false,
        revokedAt: null,
      });
      expect(verifyCredential(await credentialOf(r(), 'box-1'), creds.password)).toBe(true);
      expect(verifyCredential(await credentialOf(r(), 'box-1'), 'not-it')).toBe(false);
      await expectCode(r().devices.add({ deviceId: 'box-1' }), 'exists');
      await expectCode(r().devices.add({ deviceId: 'has space' }), 'invalid-device-id');
      expect(await r().devices.get('nobody')).toBeNull();
    });

    it('rotates: the old secret fails, the new one works, the stamp changes', async () => {
      const first = await r().devices.add({ deviceId: 'box-r' });
      const before = await credentialOf(r(), 'box-r');
      const second = await r().devices.rotate('box-r');
      const after = await credentialOf(r(), 'box-r');
      expect(verifyCredential(after, first.password)).toBe(false);
      expect(verifyCredential(after, second.password)).toBe(true);
      expect(after.stamp).not.toBe(before.stamp);
      expect((await r().devices.get('box-r'))?.rotatedAt).not.toBeNull();
      await expectCode(r().devices.rotate('nobody'), 'not-found');
    });

    it('revokes a box until it is rotated again', async () => {
      const creds = await r().devices.add({ deviceId: 'box-v' });
      await r().devices.revoke('box-v');
      expect(verifyCredential(await credentialOf(r(), 'box-v'), creds.password)).toBe(false);
      expect((await r().devices.get('box-v'))?.revokedAt).not.toBeNull();
      const again = await r().devices.rotate('box-v');
      expect(verifyCredential(await credentialOf(r(), 'box-v'), again.password)).toBe(true);
      await expectCode(r().devices.revoke('nobody'), 'not-found');
    });

    it('issues many in one go: new ids added, known ones rotated, placement set on both', async () => {
      const old = await r().devices.add({ deviceId: 'fleet-1' });
      const issued = await r().devices.issueMany(['fleet-1', 'fleet-2'], 'device', {
        placement: 'indoor',
      });
      expect(issued.map((c) => c.deviceId)).toEqual(['fleet-1', 'fleet-2']);
      expect(verifyCredential(await credentialOf(r(), 'fleet-1'), old.password)).toBe(false);
      for (const c of issued) {
        expect(verifyCredential(await credentialOf(r(), c.deviceId), c.password)).toBe(true);
        expect((await r().devices.get(c.deviceId))?.placement).toBe('indoor');
      }
      // Without a placement, registered boxes keep theirs.
      await r().devices.issueMany(['fleet-1']);
      expect((await r().devices.get('fleet-1'))?.placement).toBe('indoor');
      const [service] = await r().devices.issueMany(['bridge'], 'service');
      expect((await credentialOf(r(), service!.deviceId)).role).toBe('service');
      await expectCode(r().devices.issueMany(['ok', 'not ok']), 'invalid-device-id');
      expect(await r().devices.get('ok')).toBeNull();
    });

    it('updates name, position, placement and visibility, and checks them', async () => {
      await r().devices.add({ deviceId: 'box-u', name: 'Roof' });
      const updated = await r().devices.update('box-u', {
        name: '  School gate ',
        lat: 25.0478,
        lon: 121.5319,
        visibility: 'private',
        exactPosition: true,
        placement: 'indoor',
      });
      expect(updated).toMatchObject({
        name: 'School gate',
        lat: 25.0478,
        lon: 121.5319,
        visibility: 'private',
        exactPosition: true,
        placement: 'indoor',
      });
      expect(await r().devices.get('box-u')).toEqual(updated);
      await expectCode(r().devices.update('box-u', { lat: 91 }), 'invalid-input');
      await expectCode(
        r().devices.update('box-u', { visibility: 'secret' as 'private' }),
        'invalid-input',
      );
      await expectCode(r().devices.update('nobody', { name: 'x' }), 'not-found');
      expect((await r().devices.update('box-u', { name: null })).name).toBeNull();
    });

    it('lists by owner and moves a box between owners', async () => {
      const alice = await r().accounts.create({
        email: 'alice@example.org',
        password: 'correct horse battery',
        displayName: 'Alice',
      });
      const school = await r().orgs.create({ name: 'Jianguo High', kind: 'school' }, alice.id);
      const mine = { kind: 'account', id: alice.id } as const;
      const ours = { kind: 'org', id: school.id } as const;
      await r().devices.add({ deviceId: 'b-2', owner: mine });
      await r().devices.add({ deviceId: 'b-1', owner: mine });
      await r().devices.add({ deviceId: 'b-3', owner: ours });
      await r().devices.add({ deviceId: 'lass-1' });
      expect((await r().devices.list({ owner: mine })).map((d) => d.deviceId)).toEqual([
        'b-1',
        'b-2',
      ]);
      await r().devices.transfer('b-2', ours);
      expect((await r().devices.list({ owner: ours })).map((d) => d.deviceId)).toEqual([
        'b-2',
        'b-3',
      ]);
      expect((await r().devices.get('b-2'))?.owner).toEqual(ours);
      await r().devices.transfer('b-2', null);
      expect((await r().devices.get('b-2'))?.owner).toBeNull();
      expect((await r().devices.list()).map((d) => d.deviceId)).toEqual([
        'b-1',
        'b-2',
        'b-3',
        'lass-1',
      ]);
      await expectCode(r().devices.transfer('b-1', { kind: 'account', id: 'ghost' }), 'not-found');
      await expectCode(
        r().devices.add({ deviceId: 'b-9', owner: { kind: 'org', id: 'ghost' } }),
        'not-found',
      );
      await expectCode(r().devices.transfer('nobody', mine), 'not-found');
    });

    it('removes a box: gone from get and list, its id free again', async () => {
      await r().devices.add({ deviceId: 'box-x' });
      await r().devices.remove('box-x');
      expect(await r().devices.get('box-x')).toBeNull();
      expect(await r().devices.list()).toEqual([]);
      await expectCode(r().devices.remove('box-x'), 'not-found');
      await r().devices.add({ deviceId: 'box-x' });
    });
  });
}

function describeChanges(f: () => FreshRegistry): void {
  describe('changes and the view', () => {
    it('changesSince sees every kind of write, including those of a second registry', async () => {
      const here = f().registry;
      const there = await f().openAnother();
      try {
        await here.devices.add({ deviceId: 'c-1' });
        const { seq } = await here.devices.snapshot();
        await there.devices.add({ deviceId: 'c-2' });
        await there.devices.revoke('c-1');
        const seen = await here.devices.changesSince(seq);
        expect(seen.seq).toBeGreaterThan(seq);
        expect(seen.changed.map((c) => c.deviceId).sort()).toEqual(['c-1', 'c-2']);
        expect(seen.changed.find((c) => c.deviceId === 'c-1')?.device?.credential.revoked).toBe(
          true,
        );
        await there.devices.remove('c-2');
        const removed = await here.devices.changesSince(seen.seq);
        expect(removed.changed).toEqual([{ deviceId: 'c-2', device: null }]);
        expect((await here.devices.changesSince(removed.seq)).changed).toEqual([]);
      } finally {
        await there.close();
      }
    });

    it('a view answers from memory and picks up a revoke from elsewhere within its poll', async () => {
      const creds = await f().registry.devices.add({ deviceId: 'v-1', placement: 'indoor' });
      const view = await RegistryView.open(f().registry.devices, { pollIntervalMs: 50 });
      const changed: string[] = [];
      view.onChange((ids) => changed.push(...ids));
      const there = await f().openAnother();
      try {
        const login = view.verify('v-1', creds.password);
        expect(login?.role).toBe('device');
        expect(view.stamp('v-1')).toBe(login?.stamp);
        expect(view.verify('v-1', 'wrong')).toBeNull();
        expect(view.indoorDeviceIds()).toEqual(new Set(['v-1']));
        const version = view.changeVersion();
        await there.devices.revoke('v-1');
        await waitFor('the view to see the revoke', () => view.stamp('v-1') === null, 2_000, 10);
        expect(view.verify('v-1', creds.password)).toBeNull();
        expect(view.has('v-1')).toBe(true);
        expect(view.changeVersion()).not.toBe(version);
        expect(changed).toContain('v-1');
        await there.devices.add({ deviceId: 'v-2', visibility: 'private' });
        await waitFor('the view to see the new box', () => view.has('v-2'), 2_000, 10);
        expect(view.privateDeviceIds()).toEqual(new Set(['v-2']));
      } finally {
        view.close();
        await there.close();
      }
    });

    it('refresh() shows a write of this process at once', async () => {
      const view = await RegistryView.open(f().registry.devices, { pollIntervalMs: 60_000 });
      try {
        await f().registry.devices.add({ deviceId: 'now-1' });
        expect(view.has('now-1')).toBe(false);
        await view.refresh();
        expect(view.device('now-1')?.deviceId).toBe('now-1');
        await sleep(0);
        expect(view.stale).toBe(false);
      } finally {
        view.close();
      }
    });
  });
}
