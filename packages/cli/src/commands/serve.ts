import { join, resolve } from 'node:path';
import { DeviceRegistry, startBroker, StreamWorker } from '@airbox/ingest';
import { createApi, MetricsRegistry } from '@airbox/web';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { startDemoFleet } from '../demo.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { registerMetrics } from '../serve-metrics.ts';
import { jsonLogger } from '../log.ts';
import { waitForSignal } from '../signals.ts';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options.ts';

const usage = `usage: airbox serve [options]

Runs the broker, the stream worker, the store and the HTTP API in one process, on
embedded defaults (SQLite in the data dir, no external service).

  --data-dir DIR           where the store, device registry and broker sessions live (default ./data)
  --host ADDR              address to listen on (default 0.0.0.0; 127.0.0.1 for local only)
  --mqtt-port N            MQTT over TCP (default 1883; 0 = pick a free port)
  --ws-port N              MQTT over WebSocket at /mqtt (default 8083; 0 = free port)
  --http-port N            HTTP API (default 8080; 0 = free port)
  --tls-cert FILE --tls-key FILE [--tls-port N]   MQTT over TLS as well (default port 8883)
  --allow-anonymous-lass   accept LASS publishers without credentials (on LASS topics only)
  --max-payload-bytes N    refuse larger PUBLISH payloads (default 65536)
  --rate N                 messages/s allowed per client on average (default 5; bursts of 200)
  --no-worker              broker only: readings are left to 'airbox worker' processes
                           (their persistent sessions queue them while they are away)
  --demo                   add a demo fleet of boxes publishing over MQTT
  --demo-devices N         boxes in the demo fleet (default 20)

${STORE_USAGE}

Prints one JSON line with the chosen ports on stdout when ready; logs go to stderr.
Stops gracefully on SIGINT/SIGTERM: stops accepting, stores what was accepted, closes.`;

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`--${flag} must be a port number 0–65535, got '${value}'`);
  }
  return n;
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  'mqtt-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'http-port': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-port': { type: 'string' },
  'allow-anonymous-lass': { type: 'boolean' },
  'max-payload-bytes': { type: 'string' },
  rate: { type: 'string' },
  'no-worker': { type: 'boolean' },
  demo: { type: 'boolean' },
  'demo-devices': { type: 'string' },
  ...STORE_OPTIONS,
} as const;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run broker + worker + store + HTTP API in one process (--demo adds a fleet)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, OPTIONS);
    if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
      throw new UsageError('--tls-cert and --tls-key go together');
    }
    const dataDir = resolve(v['data-dir'] ?? 'data');
    const host = v.host ?? '0.0.0.0';
    const log = jsonLogger(io);

    const store = await openStore(v, dataDir);
    const registry = new DeviceRegistry(join(dataDir, 'devices.db'));
    const worker = new StreamWorker({ store, now: io.now });
    const broker = await startBroker({
      registry,
      worker: v['no-worker'] ? null : worker,
      deadLetters: (letter) => store.addDeadLetter(letter),
      persistenceDir: join(dataDir, 'broker'),
      allowAnonymousLass: v['allow-anonymous-lass'] ?? false,
      maxPayloadBytes: positiveNumber('max-payload-bytes', v['max-payload-bytes'], 65_536),
      ratePerS: positiveNumber('rate', v.rate, 5),
      rateBurst: 200,
      host,
      mqttPort: port('mqtt-port', v['mqtt-port'], 1883),
      wsPort: port('ws-port', v['ws-port'], 8083),
      tls:
        v['tls-cert'] && v['tls-key']
          ? {
              certFile: v['tls-cert'],
              keyFile: v['tls-key'],
              port: port('tls-port', v['tls-port'], 8883),
            }
          : null,
      now: io.now,
      log,
    });
    const metrics = new MetricsRegistry();
    registerMetrics(metrics, { worker, store, broker });
    const api = createApi({ store, metrics, health: () => ({ ports: broker.ports }) });
    await api.listen({ host, port: port('http-port', v['http-port'], 8080) });
    const httpPort = api.server.address();
    const ports = {
      ...broker.ports,
      http: typeof httpPort === 'object' && httpPort ? httpPort.port : null,
    };

    const local = host === '0.0.0.0' ? '127.0.0.1' : host;
    const demo = v.demo
      ? await startDemoFleet({
          registry,
          brokerUrl: `mqtt://${local}:${ports.mqtt}`,
          count: positiveNumber('demo-devices', v['demo-devices'], 20),
          intervalMs: 5000,
          now: io.now,
        })
      : null;

    io.stdout.write(
      JSON.stringify({ event: 'listening', dataDir, ports, demoDevices: demo?.devices ?? 0 }) +
        '\n',
    );
    io.stderr.write(
      `airbox serve: mqtt://${local}:${ports.mqtt}  ws://${local}:${ports.ws}/mqtt  http://${local}:${ports.http}/healthz  data in ${dataDir}\n`,
    );

    await waitForSignal();
    log('stopping', { pendingReadings: worker.pendingReadings });
    await demo?.stop();
    await broker.close(); // no new messages; those accepted are in the worker's queue
    await worker.drain();
    await api.close();
    await store.close();
    registry.close();
    log('stopped', {});
    return 0;
  },
};
