import { join, resolve } from 'node:path';
import { DeviceRegistry, RegistryError } from '@airbox/ingest';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';

const usage = `usage: airbox device <add|list|revoke|rotate> [ID] [--data-dir DIR] [--service]

  add ID      register a device; prints {"deviceId","username","password"} as JSON.
              The password is shown only once: the registry keeps a salted hash.
  list        one JSON object per device (no secrets)
  revoke ID   the device can no longer connect
  rotate ID   a new password (printed as for add); the old one stops working at once

  --data-dir DIR   the data dir of 'airbox serve' (default ./data); works while it runs
  --service        (add) a service account: may subscribe to every topic and publish config`;

export const deviceCommand: Command = {
  name: 'device',
  summary: 'register devices and manage their MQTT credentials',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { 'data-dir': { type: 'string' }, service: { type: 'boolean' } },
      2,
    );
    const [action, id] = positionals;
    const needsId = action === 'add' || action === 'revoke' || action === 'rotate';
    if (action === undefined || (!needsId && action !== 'list')) {
      throw new UsageError(action === undefined ? 'name an action' : `unknown action '${action}'`);
    }
    if (needsId && id === undefined) throw new UsageError(`'${action}' needs a device id`);
    const registry = new DeviceRegistry(
      join(resolve(values['data-dir'] ?? 'data'), 'devices.db'),
      io.now,
    );
    try {
      const out = (o: unknown) => io.stdout.write(JSON.stringify(o) + '\n');
      if (action === 'list') for (const d of registry.list()) out(d);
      else if (action === 'add') out(registry.add(id!, values.service ? 'service' : 'device'));
      else if (action === 'rotate') out(registry.rotate(id!));
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
