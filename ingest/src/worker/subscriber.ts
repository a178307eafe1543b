import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { READING_SUBSCRIPTIONS } from '@airbox/protocol';
import type { StreamWorker } from './stream-worker.ts';

export interface SubscriberOptions {
  brokerUrl: string;
  username: string;
  password: string;
  /** Stable across restarts: the broker keeps this session's queue while we are away. */
  clientId: string;
  worker: StreamWorker;
  now?: () => number;
  onError?: (e: Error) => void;
}

/**
 * The worker as its own process: a persistent-session (clean=false) QoS 1 subscriber.
 * mqtt.js sends the PUBACK only after `handleMessage` calls back, and we call back only
 * once the readings are stored: a worker killed mid-stream leaves its unacknowledged
 * messages with the broker, which delivers them again when the worker returns.
 */
export async function startSubscriberWorker(opts: SubscriberOptions): Promise<MqttClient> {
  const now = opts.now ?? Date.now;
  const client = mqtt.connect(opts.brokerUrl, {
    clientId: opts.clientId,
    username: opts.username,
    password: opts.password,
    clean: false,
    protocolVersion: 4, // Aedes speaks MQTT 3.1.1
    reconnectPeriod: 1000,
  });
  client.handleMessage = (packet: IPublishPacket, callback) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    opts.worker.handle({ topic: packet.topic, payload, clientId: null, receivedAtMs: now() }).then(
      () => callback(),
      // Not acknowledged: the broker redelivers after we reconnect.
      (e: unknown) => {
        opts.onError?.(e instanceof Error ? e : new Error(String(e)));
        client.stream.destroy();
      },
    );
  };
  if (opts.onError) client.on('error', opts.onError);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', (connack) => {
      if (connack.sessionPresent) return resolve();
      // One topic a SUBSCRIBE: with aedes-persistence-redis and mqemitter-redis, a persistent
      // session's SUBSCRIBE of several topics is never acknowledged (aedes 1.2,
      // persistence-redis 11.2, mqemitter-redis 7.2; one topic at a time works).
      const subscribeAll = async () => {
        for (const t of READING_SUBSCRIPTIONS) await client.subscribeAsync(t, { qos: 1 });
      };
      subscribeAll().then(resolve, reject);
    });
    client.once('error', reject);
  });
  return client;
}
