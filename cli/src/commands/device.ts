import { join, resolve } from 'node:path';
import { DeviceRegistry, RegistryError, type Placement } from '@airbox/ingest';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';

const usage = `usage: airbox device <add|set|list|revoke|rotate> [ID] [--data-dir DIR] [--service]
                     [--indoor|--outdoor]

  add ID      register a device; prints {"deviceId","username","password"} as JSON.
              The password is shown only once: the registry keeps a salted hash.
  set ID      change where the device stands: --indoor or --outdoor
  list        one JSON object per device (no secrets), with its placement
  revoke ID   the device can no longer connect; a running broker closes its open connection
              within seconds
  rotate ID   a new password (printed as for add); the old one stops working at once, and
              a connection opened with it is closed within seconds

  --data-dir DIR   the data dir of 'airbox serve' (default ./data); works while it runs
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
    const registry = new DeviceRegistry(
      join(resolve(values['data-dir'] ?? 'data'), 'devices.db'),
      io.now,
    );
    try {
      const out = (o: unknown) => io.stdout.write(JSON.stringify(o) + '\n');
      if (action === 'list') for (const d of registry.list()) out(d);
      else if (action === 'add') {
        out(registry.add(id!, values.service ? 'service' : 'device', { placement }));
      } else if (action === 'set') {
        registry.setPlacement(id!, placement!);
        io.stderr.write(`device ${id} is now ${placement}\n`);
      } else if (action === 'rotate') out(registry.rotate(id!));
      else {
        registry.revoke(id!);
        io.stderr.write(`device ${id} revoked\n`);
      }
      return 0;
    } catch (e) {
      if (e instanceof RegistryError) {
        io.stderr.write(`airbox device ${action}: ${e.message}\n`);
        return 1;
      }
      throw e;
    } finally {
      registry.close();
    }
  },
};
