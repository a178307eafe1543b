import mqtt, { type MqttClient } from 'mqtt';
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
  const state: PublishState = { acked: new Set<number>(), sent: 0 };
  try {
    await publishAll(client, plan, state);
  } finally {
    await client.endAsync(true);
  }
  return { acked: state.acked.size, sent: state.sent };
}

/** Readings published so far, and those the broker acknowledged (by index). */
interface PublishState {
  acked: Set<number>;
  sent: number;
}

/** Resolves once every reading is acknowledged; rejects after `timeoutMs`. */
function publishAll(client: MqttClient, plan: PublishPlan, state: PublishState): Promise<void> {
  const first = plan.firstTimeMs ?? Date.UTC(2026, 10, 27, 0, 0, 0);
  const topic = nativeTopic(plan.deviceId, 'reading');
  const timeoutMs = plan.timeoutMs ?? 60_000;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${plan.deviceId}: ${state.acked.size} of ${plan.count} acknowledged after ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    const publish = (i: number) =>
      client.publish(topic, readingPayload(first, i), { qos: 1 }, (err) => {
        if (err || state.acked.has(i)) return;
        state.acked.add(i);
        if (state.acked.size === plan.count) {
          clearTimeout(timer);
          resolve();
        }
      });
    resendOnReconnect(client, state, publish);
    void publishInTurn(client, plan, state, publish);
  });
}

/** Reading i of a device, i seconds after the first. */
function readingPayload(firstTimeMs: number, i: number): string {
  return JSON.stringify({
    time: new Date(firstTimeMs + i * 1000).toISOString(),
    lat: 25.04,
    lon: 121.53,
    pm25UgM3: 10 + (i % 50),
    temperatureC: 25,
    humidityPct: 60,
  });
}

/** On every reconnect after the first connect, sends again what is not acknowledged yet. */
function resendOnReconnect(
  client: MqttClient,
  state: PublishState,
  publish: (i: number) => void,
): void {
  let connects = 0;
  client.on('connect', () => {
    if (++connects === 1) return;
    for (let i = 0; i < state.sent; i++) if (!state.acked.has(i)) publish(i);
  });
}

/** Reading after reading, each only while connected, `intervalMs` apart. */
async function publishInTurn(
  client: MqttClient,
  plan: PublishPlan,
  state: PublishState,
  publish: (i: number) => void,
): Promise<void> {
  for (let i = 0; i < plan.count; i++) {
    while (!client.connected) await new Promise((r) => setTimeout(r, 20));
    publish(i);
    state.sent++;
    if (plan.intervalMs) await new Promise((r) => setTimeout(r, plan.intervalMs));
  }
}

/**
 * Resolves once the broker at `url` accepts this login (CONNACK 0). A running broker learns
 * of a box registered from another process at its registry view's next poll (~1 s), and a
 * refused CONNECT is not retried by mqtt.js: a test that registers a box beside a running
 * `airbox serve` waits here before the box connects, as a real box would simply retry.
 */
export async function waitForLogin(
  url: string,
  login: { username: string; password: string },
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = mqtt.connect(url, {
      ...login,
      clientId: `login-check-${Math.random().toString(36).slice(2, 10)}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    const accepted = await new Promise<boolean>((resolve) => {
      client.once('connect', () => resolve(true));
      client.once('error', () => resolve(false));
      client.once('close', () => resolve(false));
    });
    await client.endAsync(true);
    if (accepted) return;
    if (Date.now() > deadline) {
      throw new Error(`${url} still refuses ${login.username} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
