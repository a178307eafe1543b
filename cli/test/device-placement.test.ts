import { afterAll, describe, expect, it } from 'vitest';
import { createSimWorld, worldSource } from '@airbox/firmware-sim';
import { RegistryView, openSqliteRegistry } from '@airbox/registry';
import { tempDir } from '@airbox/testkit';
import { indoorBoxIds, SIM_REFERENCE_ACCOUNT, simCredentials } from '../src/sim-credentials.ts';
import { jsonLines, runCli } from './run.ts';

const dir = tempDir('cli-device-placement');
afterAll(() => dir.remove());
const device = (...args: string[]) => runCli(['device', ...args, '--data-dir', dir.path]);
const placements = async () =>
  jsonLines((await device('list')).stdout).map((d) => [d['deviceId'], d['placement']]);

describe('airbox device: indoor and outdoor boxes', () => {
  it('registers a box indoors with --indoor, outdoors by default, and lists both', async () => {
    expect((await device('add', 'class-3', '--indoor')).code).toBe(0);
    expect((await device('add', 'roof-1')).code).toBe(0);
    expect(await placements()).toEqual([
      ['class-3', 'indoor'],
      ['roof-1', 'outdoor'],
    ]);
  });

  it('moves a registered box with set --outdoor / --indoor', async () => {
    const moved = await device('set', 'class-3', '--outdoor');
    expect(moved).toMatchObject({ code: 0, stderr: 'device class-3 is now outdoor\n' });
    expect((await device('set', 'roof-1', '--indoor')).code).toBe(0);
    expect(await placements()).toEqual([
      ['class-3', 'outdoor'],
      ['roof-1', 'indoor'],
    ]);
  });

  it.each([
    [['set', 'roof-1'], "'set' needs --indoor, --outdoor, --private or --public"],
    [['set', 'roof-1', '--indoor', '--outdoor'], 'give --indoor or --outdoor, not both'],
    [['add', 'x-1', '--indoor', '--outdoor'], 'give --indoor or --outdoor, not both'],
    [['set', '--indoor'], "'set' needs a device id"],
    [['list', '--indoor'], "--indoor goes with 'add' or 'set', not 'list'"],
    [['add', 'svc-1', '--service', '--indoor'], '--indoor is for boxes'],
  ])('refuses `device %j` as a usage error, naming the problem', async (args, message) => {
    const { code, stderr } = await device(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: airbox device');
  });

  it('names an unknown id and says how to register it', async () => {
    const { code, stderr } = await device('set', 'nowhere-4', '--indoor');
    expect(code).toBe(1);
    expect(stderr).toContain(
      "airbox device set: device 'nowhere-4' is not registered (add it with 'airbox device add nowhere-4')",
    );
    expect(await placements()).not.toContainEqual(['nowhere-4', expect.anything()]);
  });
});

describe('simulated fleet provisioning', () => {
  it('registers the boxes the simulated world puts indoors as indoor, the rest outdoor', async () => {
    // Two boxes beside each station are always outdoors; 15 % of the rest are indoors.
    const world = createSimWorld({ seed: 1, boxes: 300, startMs: Date.UTC(2026, 10, 27) });
    const source = worldSource(world);
    const indoor = indoorBoxIds(source.boxes);
    expect(indoor.size).toBeGreaterThan(0);

    const registry = await openSqliteRegistry(':memory:');
    const { devices } = registry;
    // One box already registered and moved indoors by hand, though the world has it outdoors.
    const outside = source.boxes.find((b) => !b.indoor)!.deviceId;
    await devices.add({ deviceId: outside, placement: 'indoor' });
    const ids = [...source.boxes.map((b) => b.deviceId), SIM_REFERENCE_ACCOUNT];
    const creds = await simCredentials(devices, ids, indoor);

    expect(creds.size).toBe(301);
    const view = await RegistryView.open(devices);
    expect([...view.indoorDeviceIds()].sort()).toEqual([...indoor].sort());
    expect(
      view.verify(SIM_REFERENCE_ACCOUNT, creds.get(SIM_REFERENCE_ACCOUNT)!.password)?.role,
    ).toBe('service');
    // Without the world's placements (an `airbox sim` against someone's registry) none change.
    await devices.update(outside, { placement: 'indoor' });
    await simCredentials(devices, ids);
    await view.refresh();
    expect(view.indoorDeviceIds().has(outside)).toBe(true);
    view.close();
    await registry.close();
  });
});
