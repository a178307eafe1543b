import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '@airbox/store';
import {
  RegistryView,
  openSqliteRegistry,
  refreshingDevices,
  type Credentials,
  type DeviceStore,
  type Registry,
  type Role,
} from '@airbox/registry';
import { tempDir } from '@airbox/testkit';
import { startBroker, StreamWorker, type RunningBroker, type TappedMessage } from '../src/index.ts';

export interface TestSystem {
  store: SqliteStore;
  /** The registry on devices.db; another Registry on that file is another process. */
  registry: Registry;
  /** What the broker reads. */
  view: RegistryView;
  /** The registry's boxes, whose writes the broker sees before they resolve. */
  devices: DeviceStore;
  worker: StreamWorker;
  broker: RunningBroker;
  mqttUrl: string;
  dataDir: string;
  /** Stops the broker only (the store stays open), as a broker restart would. */
  stopBroker(): Promise<void>;
  restartBroker(): Promise<void>;
  close(): Promise<void>;
}

export interface SystemOptions {
  allowAnonymousLass?: boolean;
  maxPayloadBytes?: number;
  ratePerS?: number;
  rateBurst?: number;
  maxAnonymousConnections?: number;
  anonymousIdsPerMinute?: number;
  maxRetainedBytes?: number;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  connectTimeoutMs?: number;
  maxPendingConnections?: number;
  rawTap?: (message: TappedMessage) => void;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** How often the broker's view of the registry polls it (default 1 s, as served). */
  registryPollMs?: number;
}

/** Broker + embedded worker + SQLite store in this process, on 127.0.0.1 real sockets. */
export async function startSystem(opts: SystemOptions = {}): Promise<TestSystem> {
  const dir = tempDir('ingest');
  const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
  const registry = await openSqliteRegistry(join(dir.path, 'devices.db'));
  const view = await RegistryView.open(registry.devices, { pollIntervalMs: opts.registryPollMs });
  const worker = new StreamWorker({ store });
  const brokerOptions = {
    registry: view,
    sink: worker,
    deadLetters: (l: Parameters<typeof store.addDeadLetter>[0]) => store.addDeadLetter(l),
    persistenceDir: join(dir.path, 'broker'),
    allowAnonymousLass: opts.allowAnonymousLass ?? false,
    maxPayloadBytes: opts.maxPayloadBytes ?? 65_536,
    ratePerS: opts.ratePerS ?? 1000,
    rateBurst: opts.rateBurst ?? 10_000,
    maxAnonymousConnections: opts.maxAnonymousConnections,
    anonymousIdsPerMinute: opts.anonymousIdsPerMinute,
    maxRetainedBytes: opts.maxRetainedBytes,
    maxConnections: opts.maxConnections,
    maxConnectionsPerAddress: opts.maxConnectionsPerAddress,
    connectTimeoutMs: opts.connectTimeoutMs,
    maxPendingConnections: opts.maxPendingConnections,
    rawTap: opts.rawTap,
    log: opts.log,
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: 0,
    tls: null,
  };
  let broker = await startBroker(brokerOptions);
  const system: TestSystem = {
    store,
    registry,
    view,
    devices: refreshingDevices(registry.devices, view),
    worker,
    broker,
    mqttUrl: `mqtt://127.0.0.1:${broker.ports.mqtt}`,
    dataDir: dir.path,
    async stopBroker() {
      await broker.close();
    },
    async restartBroker() {
      broker = await startBroker({
        ...brokerOptions,
        mqttPort: broker.ports.mqtt,
        wsPort: broker.ports.ws,
      });
      system.broker = broker;
    },
    async close() {
      if (!broker.aedes.closed) await broker.close();
      await worker.drain();
      await store.close();
      view.close();
      await registry.close();
      dir.remove();
    },
  };
  return system;
}

/**
 * Registers boxes in the devices.db at `path` as another process would (`airbox device add`
 * beside a running server): a broker on that file learns of them at its view's next poll.
 */
export async function registerIn(
  path: string,
  deviceIds: string[],
  role: Role = 'device',
): Promise<Credentials[]> {
  const registry = await openSqliteRegistry(path);
  try {
    return await registry.devices.issueMany(deviceIds, role);
  } finally {
    await registry.close();
  }
}
