import type { Registry } from '@airbox/registry';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, Command } from '../io.ts';
import { ownerNamed } from '../registry-lookups.ts';
import {
  REGISTRY_OPTIONS,
  REGISTRY_USAGE,
  registryLocation,
  reportRegistryError,
  withRegistry,
} from '../registry-options.ts';
import { DEVICE_OPTIONS, devicePlan, type DevicePlan } from './device-flags.ts';

const usage = `usage: airbox device <add|set|list|revoke|rotate|transfer> [ID] [--data-dir DIR]
                     [--registry FILE|URL] [--service] [--indoor|--outdoor] [--private|--public]
                     [--exact-position] [--owner EMAIL|org:ID] [--no-owner]

  add ID      register a device; prints {"deviceId","username","password"} as JSON.
              The password is shown only once: the registry keeps a salted hash.
  set ID      change where the device stands (--indoor, --outdoor) or who sees it
              (--private, --public)
  list        one JSON object per device (no secrets), with its placement and owner
  revoke ID   the device can no longer connect; a running broker closes its open connection
              within seconds
  rotate ID   a new password (printed as for add); a running broker takes it, drops the
              old one and closes a connection opened with it within seconds
  transfer ID give the box to --owner EMAIL or --owner org:ID, or to nobody (--no-owner)

${REGISTRY_USAGE}
  --service        (add) a service account: may subscribe to every topic and publish config
  --indoor         (add, set) the box measures a room: the map hides it unless asked, and
                   the interpolated surface leaves it out
  --outdoor        (add, set) the box measures outdoor air (the default for add)
  --private        (add, set) on no public route: not the map, the surface, the live stream
                   or a tail; its owner sees it on My boxes
  --public         (add, set) on the map for everyone (the default for add)
  --exact-position (add) an indoor box's position is public as sent, not on the ~100 m grid
  --owner EMAIL|org:ID  (add, transfer) the account (by e-mail) or the organisation
                   ('airbox org list' shows ids) that manages the box in the browser`;

export const deviceCommand: Command = {
  name: 'device',
  summary: 'register devices, manage their MQTT credentials, placement, visibility and owner',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { ...REGISTRY_OPTIONS, ...DEVICE_OPTIONS },
      2,
    );
    const plan = devicePlan(positionals, values);
    try {
      await withRegistry(registryLocation(values), io.now, (r) => runPlan(r, io, plan));
      return 0;
    } catch (e) {
      return reportRegistryError(io, `device ${plan.action}`, e);
    }
  },
};

async function runPlan(registry: Registry, io: CliIo, p: DevicePlan): Promise<void> {
  const { devices } = registry;
  const out = (o: unknown) => io.stdout.write(JSON.stringify(o) + '\n');
  const owner = typeof p.owner === 'string' ? await ownerNamed(registry, p.owner) : p.owner;
  if (p.action === 'list') for (const d of await devices.list()) out(d);
  else if (p.action === 'add') {
    const role = p.service ? 'service' : 'device';
    out(await devices.add({ deviceId: p.id, role, ...p.patch, owner: owner ?? null }));
  } else if (p.action === 'set') {
    await devices.update(p.id, p.patch);
    const now = [p.patch.placement, p.patch.visibility].filter(Boolean).join(' and ');
    io.stderr.write(`device ${p.id} is now ${now}\n`);
  } else if (p.action === 'transfer') {
    await devices.transfer(p.id, owner ?? null);
    io.stderr.write(`device ${p.id} now belongs to ${p.owner ?? 'nobody'}\n`);
  } else if (p.action === 'rotate') out(await devices.rotate(p.id));
  else {
    await devices.revoke(p.id);
    io.stderr.write(`device ${p.id} revoked\n`);
  }
}
