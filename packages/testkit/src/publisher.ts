import mqtt from 'mqtt';
import { nativeTopic } from '@airbox/protocol';

export interface PublishPlan {
  url: string;
  username: string;
  password: string;
  deviceId: string;
  count: number;
  /** Pause between publishes; 0 publishes as fast as the client allows. */
  intervalMs?: number;
  /** Time of the first reading (epoch ms); reading i is i seconds later. */
  firstTimeMs?: number;
  /** Give up waiting for acknowledgements after this long. */
  timeoutMs?: number;
}

export interface PublishOutcome {
  /** PUBACKs received: readings the broker promised to keep. */
  acked: number;
  sent: number;
}

/**
 * A device publishing `count` native readings with QoS 1 and a distinct time each, the way
 * our firmware does: it publishes only while connected, reconnects on its own after the
 * broker goes away, and on every reconnect sends again what was not acknowledged (the store
 * keeps a reading once by device and time). It does not leave that to mqtt.js's own resend:
 * a message published while mqtt.js replays its outgoing store is dropped if the connection
 * breaks again then (mqttjs/MQTT.js#2015), as it does when a load balancer first routes the
 * reconnect to the broker that just died. Resolves when all are acknowledged.
 */
export async function publishReadings(plan: PublishPlan): Promise<PublishOutcome> {
  const client = mqtt.connect(plan.url, {
    clientId: plan.deviceId,
    username: plan.username,
    password: plan.password,
    protocolVersion: 4,
    reconnectPeriod: 250,
    connectTimeout: 5000,
  });
  client.on('error', () => undefined); // reconnects on its own; the outcome counts acks
  const first = plan.firstTimeMs ?? Date.UTC(2026, 10, 27, 0, 0, 0);
  const topic = nativeTopic(plan.deviceId, 'reading');
  const acked = new Set<number>();
  let sent = 0;
  const payload = (i: number) =>
    JSON.stringify({
      time: new Date(first + i * 1000).toISOString(),
      lat: 25.04,
      lon: 121.53,
      pm25UgM3: 10 + (i % 50),
      temperatureC: 25,
      humidityPct: 60,
    });
  const allAcked = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${plan.deviceId}: ${acked.size} of ${plan.count} acknowledged after ${plan.timeoutMs ?? 60_000} ms`,
          ),
        ),
      plan.timeoutMs ?? 60_000,
    );
    const publish = (i: number) =>
      client.publish(topic, payload(i), { qos: 1 }, (err) => {
        if (err || acked.has(i)) return;
        acked.add(i);
        if (acked.size === plan.count) {
          clearTimeout(timer);
          resolve();
        }
      });
    let connects = 0;
    client.on('connect', () => {
      if (++connects === 1) return;
      for (let i = 0; i < sent; i++) if (!acked.has(i)) publish(i);
    });
    void (async () => {
      for (let i = 0; i < plan.count; i++) {
        while (!client.connected) await new Promise((r) => setTimeout(r, 20));
        publish(i);
        sent++;
        if (plan.intervalMs) await new Promise((r) => setTimeout(r, plan.intervalMs));
      }
    })();
  });
  try {
    await allAcked;
  } finally {
    await client.endAsync(true);
  }
  return { acked: acked.size, sent };
}
