import type { StoredReading } from '@airbox/contracts';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startBroker, StreamWorker, type RunningBroker } from '@airbox/ingest';
import {
  RegistryView,
  openSqliteRegistry,
  refreshingDevices,
  type DeviceStore,
  type Registry,
} from '@airbox/registry';
import { nativeTopic } from '@airbox/protocol';
import { openSqliteStore, type SqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { DeviceStatusSchema, type DeviceStatus } from '@airbox/firmware-sim';

/**
 * Our real broker with its embedded stream worker and a SQLite store, in this process on
 * 127.0.0.1 (as ingest/test/system.ts starts it): a PUBACK means the reading is stored.
 */
export interface IngestSystem {
  store: SqliteStore;
  registry: Registry;
  /** The registry's boxes, whose writes the broker sees before they resolve. */
  devices: DeviceStore;
  worker: StreamWorker;
  broker: RunningBroker;
  port: number;
  dir: string;
  stored(deviceId: string): Promise<StoredReading[]>;
  close(): Promise<void>;
}

export async function startIngest(
  options: { allowAnonymousLass?: boolean } = {},
): Promise<IngestSystem> {
  const dir = tempDir('fw-ingest');
  const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
  const registry = await openSqliteRegistry(join(dir.path, 'devices.db'));
  const view = await RegistryView.open(registry.devices);
  const worker = new StreamWorker({ store });
  const broker = await startBroker({
    registry: view,
    sink: worker,
    deadLetters: (letter) => store.addDeadLetter(letter),
    persistenceDir: join(dir.path, 'broker'),
    allowAnonymousLass: options.allowAnonymousLass ?? false,
    maxPayloadBytes: 65_536,
    ratePerS: 1000,
    rateBurst: 10_000,
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: 0,
    tls: null,
  });
  return {
    store,
    registry,
    devices: refreshingDevices(registry.devices, view),
    worker,
    broker,
    port: broker.ports.mqtt,
    dir: dir.path,
    stored: (deviceId) =>
      store.series({ deviceIds: [deviceId], fromMs: 0, toMs: Date.UTC(2100, 0, 1) }),
    async close() {
      await broker.close();
      await worker.drain();
      await store.close();
      view.close();
      await registry.close();
      dir.remove();
    },
  };
}

/** A service account that watches a device's topics and can set its retained config. */
export interface Observer {
  /** Every status seen (retained ones included), parsed; the newest last. */
  statuses: DeviceStatus[];
  /** Topics of the device's reading and batch messages, in arrival order. */
  dataTopics: string[];
  setConfig(config: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function observe(system: IngestSystem, deviceId: string): Promise<Observer> {
  const service = await system.devices.add({ deviceId: `svc-${deviceId}`, role: 'service' });
  const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${system.port}`, {
    ...service,
    clientId: service.deviceId,
    protocolVersion: 4,
  });
  const statuses: DeviceStatus[] = [];
  const dataTopics: string[] = [];
  const statusTopic = nativeTopic(deviceId, 'status');
  client.on('message', (topic, payload) => {
    if (topic !== statusTopic) return void dataTopics.push(topic);
    const parsed = DeviceStatusSchema.safeParse(JSON.parse(payload.toString()));
    if (!parsed.success)
      throw new Error(`bad status ${payload.toString()}: ${parsed.error.message}`);
    statuses.push(parsed.data);
  });
  await client.subscribeAsync(
    [statusTopic, nativeTopic(deviceId, 'reading'), nativeTopic(deviceId, 'batch')],
    { qos: 1 },
  );
  return {
    statuses,
    dataTopics,
    async setConfig(config) {
      const payload = typeof config === 'string' ? config : JSON.stringify(config);
      await client.publishAsync(nativeTopic(deviceId, 'config'), payload, { qos: 1, retain: true });
    },
    async close() {
      await client.endAsync();
    },
  };
}
