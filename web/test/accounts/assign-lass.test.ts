import { describe, expect, it } from 'vitest';
import { reading, T0 } from '../helpers.ts';
import { accountsApi, as, signUp } from './helpers.ts';

/** An anonymous LASS box already publishing, given an owner without touching its firmware. */
describe('assigning an anonymous LASS box', () => {
  async function world() {
    const w = await accountsApi();
    await w.store.write([reading('74DA38F2A1B0', T0, { format: 'lass-v3', app: 'AirBox' })]);
    const school = await signUp(w.app, 'head@school.example.org');
    const org = (
      await w.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: as(school),
        payload: { name: 'Da-an Elementary', kind: 'school' },
      })
    ).json<{ id: string }>();
    return { ...w, school, orgId: org.id };
  }

  it('lets the receiving organisation’s admin take it; it keeps publishing anonymously', async () => {
    const { app, registry, school, orgId } = await world();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/74DA38F2A1B0/transfer',
      headers: as(school),
      payload: { orgId },
    });
    expect(res.statusCode).toBe(200);
    expect(await registry.devices.get('74DA38F2A1B0')).toMatchObject({
      owner: { kind: 'org', id: orgId },
      anonymousLass: true,
    });
    const page = (await app.inject({ url: `/api/v1/orgs/${orgId}`, headers: as(school) })).json<{
      devices: { deviceId: string; latest: unknown }[];
    }>();
    expect(page.devices.map((d) => d.deviceId)).toEqual(['74DA38F2A1B0']);
    expect(page.devices[0]!.latest).not.toBeNull();
  });

  it('refuses a maker who is not an admin of the organisation, and a box never seen', async () => {
    const { app, registry, orgId } = await world();
    const stranger = await signUp(app, 'maker@example.org');
    const claim = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/74DA38F2A1B0/transfer',
      headers: as(stranger),
      payload: { orgId },
    });
    expect(claim.statusCode).toBe(404);
    const toSelf = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/74DA38F2A1B0/transfer',
      headers: as(stranger),
      payload: { accountEmail: 'maker@example.org' },
    });
    expect(toSelf.statusCode).toBe(403);
    expect(await registry.devices.get('74DA38F2A1B0')).toBeNull();
    const operator = await registry.accounts.create({
      email: 'op@example.org',
      password: 'operator long secret',
      displayName: 'Op',
      operator: true,
    });
    // Even an operator assigns only a box that has published here.
    const { key } = await registry.apiKeys.create(operator.id, 'ops');
    const never = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/74DA38000000/transfer',
      headers: { authorization: `Bearer ${key}` },
      payload: { orgId },
    });
    expect(never.statusCode).toBe(404);
    expect(never.json<{ error: { code: string } }>().error.code).toBe('unknown-device');
  });
});
