import { RegistryError, type DeviceStore, type Placement } from '@airbox/registry';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { dataDirRegistry, withRegistry } from '../registry-options.ts';

const usage = `usage: airbox device <add|set|list|revoke|rotate> [ID] [--data-dir DIR] [--registry FILE|URL]
                     [--service] [--indoor|--outdoor]

  add ID      register a device; prints {"deviceId","username","password"} as JSON.
              The password is shown only once: the registry keeps a salted hash.
  set ID      change where the device stands: --indoor or --outdoor
  list        one JSON object per device (no secrets), with its placement
  revoke ID   the device can no longer connect; a running broker closes its open connection
              within seconds
  rotate ID   a new password (printed as for add); a running broker takes it, drops the
              old one and closes a connection opened with it within seconds

  --data-dir DIR   the data dir of 'airbox serve' (default ./data); works while it runs: a
                   running server sees every change within a second
  --registry FILE|URL  the registry 'airbox serve --registry' was given: a SQLite file or
                   a postgres:// URL (default DATA_DIR/devices.db)
  --service        (add) a service account: may subscribe to every topic and publish config
  --indoor         (add, set) the box measures a room: the map hides it unless asked, and
                   the interpolated surface leaves it out
  --outdoor        (add, set) the box measures outdoor air (the default for add)`;

const ACTIONS = ['add', 'set', 'list', 'revoke', 'rotate'] as const;
type Action = (typeof ACTIONS)[number];
const isAction = (s: string): s is Action => (ACTIONS as readonly string[]).includes(s);

interface Flags {
  service?: boolean;
  indoor?: boolean;
  outdoor?: boolean;
}

/** The placement the flags ask for, or undefined; usage errors for what makes no sense. */
function placementOf(action: Action, flags: Flags): Placement | undefined {
  if (flags.indoor && flags.outdoor) throw new UsageError('give --indoor or --outdoor, not both');
  const placement = flags.indoor ? 'indoor' : flags.outdoor ? 'outdoor' : undefined;
  if (action === 'set' && placement === undefined) {
    throw new UsageError("'set' needs --indoor or --outdoor");
  }
  if (placement !== undefined && action !== 'add' && action !== 'set') {
    throw new UsageError(`--${placement} goes with 'add' or 'set', not '${action}'`);
  }
  if (placement !== undefined && flags.service) {
    throw new UsageError(`--${placement} is for boxes; a --service account has no placement`);
  }
  return placement;
}

export const deviceCommand: Command = {
  name: 'device',
  summary: 'register devices, manage their MQTT credentials and placement (indoor/outdoor)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        'data-dir': { type: 'string' },
        registry: { type: 'string' },
        service: { type: 'boolean' },
        indoor: { type: 'boolean' },
        outdoor: { type: 'boolean' },
      },
      2,
    );
    const [action, id] = positionals;
    if (action === undefined) throw new UsageError('name an action');
    if (!isAction(action)) throw new UsageError(`unknown action '${action}'`);
    if (action !== 'list' && id === undefined) {
      throw new UsageError(`'${action}' needs a device id`);
    }
    const placement = placementOf(action, values);
    const location = values.registry ?? dataDirRegistry(values['data-dir'] ?? 'data');
    try {
      await withRegistry(location, io.now, (r) =>
        runAction(r.devices, io, { action, id: id!, placement, service: values.service }),
      );
      return 0;
    } catch (e) {
      if (e instanceof RegistryError) {
        io.stderr.write(`airbox device ${action}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};

async function runAction(
  devices: DeviceStore,
  io: CliIo,
  a: { action: Action; id: string; placement: Placement | undefined; service?: boolean },
): Promise<void> {
  const out = (o: unknown) => io.stdout.write(JSON.stringify(o) + '\n');
  if (a.action === 'list') for (const d of await devices.list()) out(d);
  else if (a.action === 'add') {
    const role = a.service ? 'service' : 'device';
    out(await devices.add({ deviceId: a.id, role, placement: a.placement }));
  } else if (a.action === 'set') {
    await devices.update(a.id, { placement: a.placement });
    io.stderr.write(`device ${a.id} is now ${a.placement}\n`);
  } else if (a.action === 'rotate') out(await devices.rotate(a.id));
  else {
    await devices.revoke(a.id);
    io.stderr.write(`device ${a.id} revoked\n`);
  }
}
