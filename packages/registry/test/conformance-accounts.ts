import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_DEFAULT_BYTES_PER_DAY,
  API_KEY_DEFAULT_PER_MINUTE,
  type Account,
  type Registry,
} from '../src/index.ts';
import { expectCode } from './expect-code.ts';

const PASSWORD = 'correct horse battery';

/** Accounts, sessions, reset links, API keys and organisations: part of registryConformance. */
export function accountConformance(r: () => Registry): void {
  const account = (email: string, displayName = email.split('@')[0]!): Promise<Account> =>
    r().accounts.create({ email, password: PASSWORD, displayName });

  describe('accounts', () => {
    it('keeps the e-mail lower-cased and trimmed, once', async () => {
      const a = await account('  Mei.Lin@Example.ORG ', 'Mei');
      expect(a).toMatchObject({
        email: 'mei.lin@example.org',
        displayName: 'Mei',
        operator: false,
      });
      expect(await r().accounts.get(a.id)).toEqual(a);
      expect(await r().accounts.byEmail('MEI.LIN@example.org')).toEqual(a);
      await expectCode(account('mei.lin@EXAMPLE.org'), 'exists');
      await expectCode(account('not-an-address'), 'invalid-email');
      expect(await r().accounts.get('nobody')).toBeNull();
      expect(await r().accounts.byEmail('nobody@example.org')).toBeNull();
    });

    it('refuses a weak password: short, or the e-mail itself', async () => {
      const weak = (password: string) =>
        r().accounts.create({ email: 'wei@example.org', password, displayName: 'Wei' });
      await expectCode(weak('short1234'), 'weak-password');
      await expectCode(weak('Wei@Example.org'), 'weak-password');
      expect(await r().accounts.byEmail('wei@example.org')).toBeNull();
    });

    it('signs in with the right password only; an unknown e-mail costs a hash too', async () => {
      const a = await account('chen@example.org');
      expect(await r().accounts.authenticate(' CHEN@example.org', PASSWORD)).toEqual(a);
      expect(await r().accounts.authenticate('chen@example.org', `${PASSWORD}!`)).toBeNull();
      const started = performance.now();
      expect(await r().accounts.authenticate('nobody@example.org', PASSWORD)).toBeNull();
      // A lower bound only: without the dummy scrypt this answer would take well under 1 ms.
      expect(performance.now() - started).toBeGreaterThan(10);
    });

    it('changes the password and the operator flag', async () => {
      const a = await account('lin@example.org');
      await r().accounts.setPassword(a.id, 'a new long passphrase');
      expect(await r().accounts.authenticate('lin@example.org', PASSWORD)).toBeNull();
      expect(
        await r().accounts.authenticate('lin@example.org', 'a new long passphrase'),
      ).not.toBeNull();
      await expectCode(r().accounts.setPassword(a.id, 'short'), 'weak-password');
      await r().accounts.setOperator(a.id, true);
      expect((await r().accounts.get(a.id))?.operator).toBe(true);
      await expectCode(r().accounts.setOperator('nobody', true), 'not-found');
    });

    it('lists every account by e-mail, without a password hash', async () => {
      const zed = await account('zed@example.org');
      const amy = await account('amy@example.org');
      expect(await r().accounts.list()).toEqual([amy, zed]);
    });
  });

  describe('sessions and reset links', () => {
    it('a session lives until it expires or is deleted', async () => {
      const a = await account('s@example.org');
      const s = await r().sessions.create(a.id, 60_000);
      expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await r().sessions.get(s.token)).toEqual({
        accountId: a.id,
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt,
      });
      expect(await r().sessions.get(`${s.token}x`)).toBeNull();
      await r().sessions.delete(s.token);
      expect(await r().sessions.get(s.token)).toBeNull();
      const brief = await r().sessions.create(a.id, 40);
      await sleep(80);
      expect(await r().sessions.get(brief.token)).toBeNull();
    });

    it('signs an account out everywhere but the session it keeps', async () => {
      const a = await account('t@example.org');
      const b = await account('u@example.org');
      const [one, two, other] = [
        await r().sessions.create(a.id, 60_000),
        await r().sessions.create(a.id, 60_000),
        await r().sessions.create(b.id, 60_000),
      ];
      await r().sessions.deleteAllOf(a.id, two.token);
      expect(await r().sessions.get(one.token)).toBeNull();
      expect(await r().sessions.get(two.token)).not.toBeNull();
      await r().sessions.deleteAllOf(a.id);
      expect(await r().sessions.get(two.token)).toBeNull();
      expect(await r().sessions.get(other.token)).not.toBeNull();
      await expectCode(r().sessions.create('nobody', 60_000), 'not-found');
    });

    it('a reset link works once, and not after it expires', async () => {
      const a = await account('reset@example.org');
      const token = await r().resets.create(a.id, 60_000);
      const [first, second] = await Promise.all([
        r().resets.consume(token),
        r().resets.consume(token),
      ]);
      expect([first, second].sort()).toEqual([a.id, null].sort());
      expect(await r().resets.consume(token)).toBeNull();
      const brief = await r().resets.create(a.id, 40);
      await sleep(80);
      expect(await r().resets.consume(brief)).toBeNull();
      expect(await r().resets.consume('never-issued')).toBeNull();
    });
  });

  describe('API keys', () => {
    it('issues a key shown once, verifies it, lists and revokes it for its account only', async () => {
      const a = await account('dev@example.org');
      const b = await account('other@example.org');
      const k = await r().apiKeys.create(a.id, ' dashboard ');
      expect(k).toMatchObject({
        accountId: a.id,
        name: 'dashboard',
        perMinute: API_KEY_DEFAULT_PER_MINUTE,
        bytesPerDay: API_KEY_DEFAULT_BYTES_PER_DAY,
        revokedAt: null,
      });
      const { key, ...stored } = k;
      expect(await r().apiKeys.verify(key)).toEqual(stored);
      expect(await r().apiKeys.verify(`${key}x`)).toBeNull();
      expect(await r().apiKeys.list(a.id)).toEqual([stored]);
      expect(await r().apiKeys.list(b.id)).toEqual([]);
      expect(await r().apiKeys.revoke(b.id, k.id)).toBe(false);
      expect(await r().apiKeys.verify(key)).not.toBeNull();
      expect(await r().apiKeys.revoke(a.id, k.id)).toBe(true);
      expect(await r().apiKeys.verify(key)).toBeNull();
      expect((await r().apiKeys.list(a.id))[0]?.revokedAt).not.toBeNull();
    });

    it('keeps a quota of its own, large ones too', async () => {
      const a = await account('big@example.org');
      const k = await r().apiKeys.create(a.id, 'archive', {
        perMinute: 60,
        bytesPerDay: 50 * 2 ** 30,
      });
      expect(await r().apiKeys.verify(k.key)).toMatchObject({
        perMinute: 60,
        bytesPerDay: 50 * 2 ** 30,
      });
      await expectCode(r().apiKeys.create(a.id, 'bad', { perMinute: 0 }), 'invalid-input');
      await expectCode(r().apiKeys.create('nobody', 'x'), 'not-found');
    });

    it("takes an operator's quota for one key, and for an account's keys now and later", async () => {
      const a = await account('lab@example.org');
      const old = await r().apiKeys.create(a.id, 'old');
      await r().apiKeys.revoke(a.id, old.id);
      const one = await r().apiKeys.create(a.id, 'one');
      const two = await r().apiKeys.create(a.id, 'two');
      expect(await r().apiKeys.setQuota(one.id, { perMinute: 12_000 })).toMatchObject({
        id: one.id,
        perMinute: 12_000,
        bytesPerDay: API_KEY_DEFAULT_BYTES_PER_DAY,
      });
      expect(await r().apiKeys.verify(one.key)).toMatchObject({ perMinute: 12_000 });
      expect(await r().apiKeys.setQuota('no-such-key', { perMinute: 1 })).toBeNull();

      const big = 100 * 2 ** 30;
      const live = await r().apiKeys.setAccountQuota(a.id, { bytesPerDay: big });
      // Made in the same millisecond: listed in no particular order among themselves.
      const byName = live.sort((x, y) => x.name.localeCompare(y.name));
      expect(byName.map((k) => [k.name, k.perMinute, k.bytesPerDay])).toEqual([
        ['one', 12_000, big],
        ['two', API_KEY_DEFAULT_PER_MINUTE, big],
      ]);
      expect(await r().apiKeys.verify(two.key)).toMatchObject({ bytesPerDay: big });
      // A revoked key keeps what it had; a key made later takes the account's quota.
      const listed = await r().apiKeys.list(a.id);
      expect(listed.find((k) => k.id === old.id)?.bytesPerDay).toBe(API_KEY_DEFAULT_BYTES_PER_DAY);
      const later = await r().apiKeys.create(a.id, 'later');
      expect(later).toMatchObject({ perMinute: API_KEY_DEFAULT_PER_MINUTE, bytesPerDay: big });
      await r().apiKeys.setAccountQuota(a.id, { perMinute: 6_000 });
      expect(await r().apiKeys.create(a.id, 'latest')).toMatchObject({
        perMinute: 6_000,
        bytesPerDay: big,
      });
      // Another account's keys keep the defaults.
      const b = await account('else@example.org');
      expect(await r().apiKeys.create(b.id, 'b')).toMatchObject({
        perMinute: API_KEY_DEFAULT_PER_MINUTE,
      });

      await expectCode(r().apiKeys.setQuota(one.id, {}), 'invalid-input');
      await expectCode(r().apiKeys.setQuota(one.id, { perMinute: -1 }), 'invalid-input');
      await expectCode(r().apiKeys.setAccountQuota('nobody', { perMinute: 5 }), 'not-found');
    });
  });

  describe('organisations', () => {
    it('makes the creator owner and keeps members with their roles', async () => {
      const owner = await account('head@example.org', 'Head');
      const teacher = await account('teacher@example.org', 'Teacher');
      const org = await r().orgs.create({ name: 'Jianguo High', kind: 'school' }, owner.id);
      expect(await r().orgs.get(org.id)).toEqual(org);
      expect(await r().orgs.roleOf(org.id, owner.id)).toBe('owner');
      expect(await r().orgs.roleOf(org.id, teacher.id)).toBeNull();
      await r().orgs.setMember(org.id, teacher.id, 'member');
      await r().orgs.setMember(org.id, teacher.id, 'admin');
      expect(await r().orgs.members(org.id)).toEqual([
        { account: owner, role: 'owner' },
        { account: teacher, role: 'admin' },
      ]);
      expect(await r().orgs.listOf(teacher.id)).toEqual([{ ...org, role: 'admin' }]);
      await r().orgs.removeMember(org.id, teacher.id);
      expect(await r().orgs.listOf(teacher.id)).toEqual([]);
      await expectCode(r().orgs.setMember(org.id, 'nobody', 'viewer'), 'not-found');
      await expectCode(r().orgs.setMember('ghost', teacher.id, 'viewer'), 'not-found');
      await expectCode(
        r().orgs.create({ name: 'x', kind: 'club' as 'school' }, owner.id),
        'invalid-input',
      );
    });

    it('never leaves an organisation without an owner', async () => {
      const owner = await account('o1@example.org');
      const next = await account('o2@example.org');
      const org = await r().orgs.create({ name: 'City office', kind: 'government' }, owner.id);
      await expectCode(r().orgs.removeMember(org.id, owner.id), 'invalid-input');
      await expectCode(r().orgs.setMember(org.id, owner.id, 'admin'), 'invalid-input');
      await r().orgs.setMember(org.id, next.id, 'owner');
      await r().orgs.setMember(org.id, owner.id, 'viewer');
      expect(await r().orgs.roleOf(org.id, owner.id)).toBe('viewer');
    });

    it('lists every organisation by name', async () => {
      const owner = await account('founder@example.org');
      const b = await r().orgs.create({ name: 'Beitou Makers', kind: 'community' }, owner.id);
      const a = await r().orgs.create({ name: 'Annan Elementary', kind: 'school' }, owner.id);
      expect(await r().orgs.list()).toEqual([a, b]);
    });
  });
}
