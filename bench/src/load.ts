import { connect } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { nativeTopic } from '@airbox/protocol';
import { connectPacket, RawPublisher } from './raw-client.ts';

export interface LoadClient {
  deviceId: string;
  username?: string;
  password?: string;
}

export interface LoadPlan {
  clients: LoadClient[];
  durationMs: number;
  /** Closed loop: each client keeps this many PUBLISHes unacknowledged. */
  windowPerClient?: number;
  /** Open loop instead: the whole fleet publishes this many readings a second. */
  ratePerS?: number;
}

export interface LoadResult {
  sent: number;
  acked: number;
  elapsedS: number;
  /** PUBLISH → PUBACK per reading (ms); with ack-after-store this is publish → stored. */
  latenciesMs: number[];
}

/** Connects every client (MQTT 3.1.1) before the clock starts. */
export async function connectAll(port: number, clients: LoadClient[]): Promise<RawPublisher[]> {
  return Promise.all(
    clients.map((c) => RawPublisher.open(port, c.deviceId, c.username, c.password)),
  );
}

/**
 * Publishes native readings from many clients and times each acknowledgement. Each reading
 * has its own (device, time), so every one must be stored: sent = stored is checkable.
 */
export async function runLoad(plan: LoadPlan, connected: RawPublisher[]): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let sent = 0;
  let acked = 0;
  const start = performance.now();
  const end = start + plan.durationMs;
  const seq = new Array<number>(connected.length).fill(0);
  const baseMs = Date.UTC(2026, 0, 1);

  const publishOne = (i: number, done: () => void) => {
    const client = connected[i]!;
    const deviceId = plan.clients[i]!.deviceId;
    const n = seq[i]!++;
    const body = `{"time":"${new Date(baseMs + n * 1000).toISOString()}","lat":25.04,"lon":121.53,"pm25UgM3":${10 + (n % 40)},"temperatureC":24.5,"humidityPct":61}`;
    const t0 = performance.now();
    sent++;
    client.publish(nativeTopic(deviceId, 'reading'), body, (err) => {
      if (!err) {
        acked++;
        latenciesMs.push(performance.now() - t0);
      }
      done();
    });
  };

  await new Promise<void>((resolve) => {
    let active = connected.length;
    const finished = () => --active === 0 && resolve();
    if (plan.ratePerS !== undefined) {
      openLoop(plan.ratePerS, connected.length, end, publishOne, resolve);
      return;
    }
    const window = plan.windowPerClient ?? 10;
    connected.forEach((_, i) => {
      let inFlight = 0;
      const pump = () => {
        while (inFlight < window && performance.now() < end) {
          inFlight++;
          publishOne(i, () => {
            inFlight--;
            if (performance.now() < end) pump();
            else if (inFlight === 0) finished();
          });
        }
      };
      pump();
    });
  });
  return { sent, acked, elapsedS: (performance.now() - start) / 1000, latenciesMs };
}

/** A steady rate: a tick every 10 ms publishes the readings due by then, round-robin. */
function openLoop(
  ratePerS: number,
  clients: number,
  end: number,
  publishOne: (i: number, done: () => void) => void,
  resolve: () => void,
) {
  const start = performance.now();
  let issued = 0;
  let outstanding = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const due = Math.floor(((Math.min(now, end) - start) / 1000) * ratePerS);
    while (issued < due) {
      outstanding++;
      publishOne(issued++ % clients, () => {
        if (--outstanding === 0 && performance.now() >= end) resolve();
      });
    }
    if (now >= end) {
      clearInterval(timer);
      if (outstanding === 0) resolve();
    }
  }, 10);
}

/**
 * A subscriber counting what a broker relays (the broker-alone measurement), over a bare
 * socket with QoS 0 delivery, so that the subscriber's own acknowledgements do not limit
 * what is measured. Same for every broker compared.
 */
export async function countingSubscriber(
  port: number,
  creds: { username?: string; password?: string },
  filter: string,
) {
  const socket = connect(port, '127.0.0.1');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let received = 0;
  let subscribed: () => void = () => undefined;
  parser.on('packet', (p) => {
    if (p.cmd === 'publish') received++;
    else if (p.cmd === 'connack') {
      socket.write(
        mqttPacket.generate({
          cmd: 'subscribe',
          messageId: 1,
          subscriptions: [{ topic: filter, qos: 0 }],
        }),
      );
    } else if (p.cmd === 'suback') subscribed();
  });
  socket.on('data', (d: Buffer) => parser.parse(d));
  await new Promise<void>((resolve, reject) => {
    subscribed = resolve;
    socket.once('error', reject);
    socket.once('close', () =>
      reject(new Error(`subscriber on port ${port} closed before SUBACK`)),
    );
    socket.write(connectPacket(`bench-sub-${process.pid}`, creds.username, creds.password));
  });
  return { count: () => received, close: () => void socket.end() };
}
