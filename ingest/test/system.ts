import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import {
  DeviceRegistry,
  startBroker,
  StreamWorker,
  type RunningBroker,
  type TappedMessage,
} from '../src/index.ts';

export interface TestSystem {
  store: SqliteStore;
  registry: DeviceRegistry;
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
}

/** Broker + embedded worker + SQLite store in this process, on 127.0.0.1 real sockets. */
export async function startSystem(opts: SystemOptions = {}): Promise<TestSystem> {
  const dir = tempDir('ingest');
  const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
  const registry = new DeviceRegistry(join(dir.path, 'devices.db'));
  const worker = new StreamWorker({ store });
  const brokerOptions = {
    registry,
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
      registry.close();
      dir.remove();
    },
  };
  return system;
}
