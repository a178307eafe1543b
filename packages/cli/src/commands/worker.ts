import { resolve } from 'node:path';
import { startSubscriberWorker, StreamWorker } from '@airbox/ingest';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { jsonLogger } from '../log.ts';
import { waitForSignal } from '../signals.ts';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options.ts';

const usage = `usage: airbox worker --broker URL --username U --password P [options]

The stream worker as its own process: a persistent-session QoS 1 subscriber to the reading
topics. It acknowledges a message only once its readings are stored, so a worker that
dies loses nothing: the broker keeps the rest for it.

  --broker URL        e.g. mqtt://127.0.0.1:1883
  --username U        a service account ('airbox device add NAME --service')
  --password P        (or the AIRBOX_WORKER_PASSWORD environment variable)
  --client-id ID      the session name; keep it across restarts (default airbox-worker-<username>)
  --data-dir DIR      where the SQLite store (or the InfluxDB spill) lives (default ./data)

${STORE_USAGE}`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run the stream worker as its own process (persistent MQTT subscriber)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, {
      broker: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'client-id': { type: 'string' },
      'data-dir': { type: 'string' },
      ...STORE_OPTIONS,
    });
    const password = v.password ?? process.env['AIRBOX_WORKER_PASSWORD'];
    if (!v.broker || !v.username || !password) {
      throw new UsageError(
        '--broker, --username and --password (or AIRBOX_WORKER_PASSWORD) are required',
      );
    }
    const log = jsonLogger(io);
    const store = await openStore(v, resolve(v['data-dir'] ?? 'data'));
    const worker = new StreamWorker({ store, now: io.now });
    const clientId = v['client-id'] ?? `airbox-worker-${v.username}`;
    const client = await startSubscriberWorker({
      brokerUrl: v.broker,
      username: v.username,
      password,
      clientId,
      worker,
      now: io.now,
      onError: (e) => log('worker-error', { message: e.message }),
    });
    io.stdout.write(JSON.stringify({ event: 'listening', clientId, broker: v.broker }) + '\n');
    await waitForSignal();
    await client.endAsync();
    await worker.drain();
    await store.close();
    log('stopped', { messages: worker.counters.messagesTotal });
    return 0;
  },
};
