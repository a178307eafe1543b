import { describe, expect, it } from 'vitest';
import type { Registry } from '../src/index.ts';
import { expectCode } from './expect-code.ts';

const PASSWORD = 'correct horse battery';
const SPEC = { target: { deviceId: 'box-1' }, thresholdUgM3: 35, forMinutes: 10 };

/** Alert subscriptions and their evaluation state: part of registryConformance. */
export function alertConformance(r: () => Registry): void {
  const account = (email: string) =>
    r().accounts.create({ email, password: PASSWORD, displayName: email.split('@')[0]! });

  describe('alert subscriptions', () => {
    it('keeps a subscription of an account or an organisation, with a secret of its own', async () => {
      const mei = await account('mei@example.org');
      const org = await r().orgs.create({ name: 'Jianguo High', kind: 'school' }, mei.id);
      const mine = await r().alerts.create({
        owner: { kind: 'account', id: mei.id },
        kind: 'threshold',
        spec: SPEC,
      });
      const school = await r().alerts.create({
        owner: { kind: 'org', id: org.id },
        kind: 'offline',
        spec: { target: { orgId: org.id }, offlineAfterMinutes: 30 },
      });
      expect(mine.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(mine.secret).not.toBe(school.secret);
      expect(await r().alerts.get(mine.id)).toMatchObject({
        id: mine.id,
        owner: { kind: 'account', id: mei.id },
        kind: 'threshold',
        spec: SPEC,
        paused: false,
        secret: mine.secret,
      });
      expect((await r().alerts.listOf({ kind: 'account', id: mei.id })).map((s) => s.id)).toEqual([
        mine.id,
      ]);
      expect((await r().alerts.listOf({ kind: 'org', id: org.id })).map((s) => s.id)).toEqual([
        school.id,
      ]);
      expect(await r().alerts.get('nothing')).toBeNull();
    });

    it('refuses an owner that does not exist', async () => {
      const owner = { kind: 'account', id: 'ghost' } as const;
      await expectCode(r().alerts.create({ owner, kind: 'offline', spec: {} }), 'not-found');
      const org = { kind: 'org', id: 'ghost' } as const;
      await expectCode(r().alerts.create({ owner: org, kind: 'offline', spec: {} }), 'not-found');
    });

    it('leaves paused subscriptions out of the active ones, and forgets a deleted one', async () => {
      const mei = await account('mei@example.org');
      const owner = { kind: 'account', id: mei.id } as const;
      const a = await r().alerts.create({ owner, kind: 'threshold', spec: SPEC });
      const b = await r().alerts.create({ owner, kind: 'threshold', spec: SPEC });
      expect(await r().alerts.setPaused(a.id, true)).toBe(true);
      expect((await r().alerts.listActive()).map((s) => s.id)).toEqual([b.id]);
      expect(await r().alerts.setPaused(a.id, false)).toBe(true);
      expect((await r().alerts.listActive()).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
      expect(await r().alerts.delete(b.id)).toBe(true);
      expect(await r().alerts.delete(b.id)).toBe(false);
      expect(await r().alerts.setPaused(b.id, true)).toBe(false);
      expect(await r().alerts.get(b.id)).toBeNull();
    });
  });

  describe('alert state', () => {
    it('writes many states at once, replaces and deletes them, and drops those of a deleted subscription', async () => {
      const mei = await account('mei@example.org');
      const owner = { kind: 'account', id: mei.id } as const;
      const sub = await r().alerts.create({ owner, kind: 'threshold', spec: SPEC });
      const gone = await r().alerts.create({ owner, kind: 'threshold', spec: SPEC });
      await r().alerts.delete(gone.id);
      const episode = { phase: 'alerting', episodeStart: '2026-12-08T01:00:00.000Z' };
      await r().alerts.putStates([
        { subscriptionId: sub.id, key: 'box-1', state: { phase: 'pending' } },
        { subscriptionId: sub.id, key: 'box-2', state: { phase: 'pending' } },
        { subscriptionId: gone.id, key: 'box-1', state: { phase: 'pending' } },
      ]);
      await r().alerts.putStates([
        { subscriptionId: sub.id, key: 'box-1', state: episode },
        { subscriptionId: sub.id, key: 'box-2', state: null },
      ]);
      expect(await r().alerts.getState(sub.id, 'box-1')).toEqual(episode);
      expect(await r().alerts.getState(sub.id, 'box-2')).toBeNull();
      const states = await r().alerts.listStates();
      expect(states.map((s) => [s.subscriptionId, s.key, s.state])).toEqual([
        [sub.id, 'box-1', episode],
      ]);
      await r().alerts.delete(sub.id);
      expect(await r().alerts.listStates()).toEqual([]);
    });
  });
}
