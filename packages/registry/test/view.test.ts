import { waitFor } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RegistryError,
  RegistryView,
  openSqliteRegistry,
  type DeviceStore,
  type Registry,
} from '../src/index.ts';

/**
 * A device store whose database can be taken away (`down`) or swapped for another one (a
 * restore from backup): what the view must survive. The stores underneath are real.
 */
function switchable(initial: DeviceStore) {
  let target = initial;
  let down = false;
  const guard = () => {
    if (down) throw new RegistryError('unavailable', 'registry test.db cannot be used: gone');
  };
  const store: DeviceStore = {
    ...initial,
    snapshot: async () => (guard(), target.snapshot()),
    changesSince: async (seq) => (guard(), target.changesSince(seq)),
  };
  return {
    store,
    setDown: (d: boolean) => (down = d),
    swap: (s: DeviceStore) => (target = s),
  };
}

describe('RegistryView when the database misbehaves', () => {
  const open: Registry[] = [];
  const views: RegistryView[] = [];
  afterEach(async () => {
    for (const v of views.splice(0)) v.close();
    for (const r of open.splice(0)) await r.close();
  });
  const registry = async () => {
    const r = await openSqliteRegistry(':memory:');
    open.push(r);
    return r;
  };

  it('keeps serving the last snapshot through an outage, says so once, then catches up', async () => {
    const r = await registry();
    const creds = await r.devices.add({ deviceId: 'steady' });
    const db = switchable(r.devices);
    const logged: string[] = [];
    const view = await RegistryView.open(db.store, {
      pollIntervalMs: 20,
      log: (event) => logged.push(event),
    });
    views.push(view);

    db.setDown(true);
    await waitFor('the view to notice', () => view.stale, 2_000, 5);
    await new Promise((res) => setTimeout(res, 150));
    expect(view.verify('steady', creds.password)?.role).toBe('device');
    expect(view.lastError?.message).toMatch(/gone/);
    expect(logged).toEqual(['registry-unavailable']);

    await r.devices.revoke('steady');
    db.setDown(false);
    await waitFor(
      'the view to recover',
      () => !view.stale && view.stamp('steady') === null,
      2_000,
      5,
    );
    expect(logged).toEqual(['registry-unavailable', 'registry-available']);
  });

  it('reloads everything when the database goes back in time (restored from a backup)', async () => {
    const live = await registry();
    await live.devices.add({ deviceId: 'kept' });
    await live.devices.add({ deviceId: 'added-after-backup' });
    await live.devices.revoke('kept');
    const backup = await registry();
    const keptCreds = await backup.devices.add({ deviceId: 'kept' });

    const db = switchable(live.devices);
    const view = await RegistryView.open(db.store, { pollIntervalMs: 60_000 });
    views.push(view);
    const changed: string[] = [];
    view.onChange((ids) => changed.push(...ids));
    expect(view.stamp('kept')).toBeNull();

    db.swap(backup.devices);
    await view.refresh();
    expect(view.has('added-after-backup')).toBe(false);
    expect(view.verify('kept', keptCreds.password)).not.toBeNull();
    expect(changed.sort()).toEqual(['added-after-backup', 'kept']);
  });
});
