import mqtt, { type MqttClient } from 'mqtt';
import { loadReferenceStations } from '@airbox/geo';
import { nativeTopic } from '@airbox/protocol';
import type { DeviceRegistry } from '@airbox/ingest';

/**
 * The demo fleet of `airbox serve --demo`: one box beside each of the first `count`
 * reference stations, publishing native readings over real MQTT with its own credentials.
 * A plain stand-in until the fleet simulator (firmware-sim/) lands: a diurnal PM2.5 cycle
 * with a per-box gain and noise, from a seeded generator so two runs match.
 */
export interface DemoFleet {
  devices: number;
  stop(): Promise<void>;
}

export async function startDemoFleet(opts: {
  registry: DeviceRegistry;
  brokerUrl: string;
  count: number;
  intervalMs: number;
  seed?: number;
  now?: () => number;
}): Promise<DemoFleet> {
  const now = opts.now ?? Date.now;
  const random = mulberry32(opts.seed ?? 1);
  const stations = loadReferenceStations().slice(0, opts.count);
  const clients: MqttClient[] = [];
  for (const [i, station] of stations.entries()) {
    const deviceId = `demo-${String(i + 1).padStart(3, '0')}`;
    const creds = opts.registry.list().some((d) => d.deviceId === deviceId)
      ? opts.registry.rotate(deviceId)
      : opts.registry.add(deviceId);
    const client = mqtt.connect(opts.brokerUrl, {
      clientId: deviceId,
      username: creds.username,
      password: creds.password,
      protocolVersion: 4,
    });
    const gain = 1.2 + random() * 0.4; // low-cost sensors overestimate by 20–60 %
    const lat = station.lat + (random() - 0.5) * 0.002;
    const lon = station.lon + (random() - 0.5) * 0.002;
    const timer = setInterval(() => {
      const t = now();
      const hour = new Date(t + 8 * 3600_000).getUTCHours(); // Taipei local time
      const truth = 18 + 10 * Math.cos(((hour - 8) / 24) * 2 * Math.PI) + random() * 4;
      const reading = {
        time: new Date(t).toISOString(),
        lat,
        lon,
        pm25UgM3: Math.round(truth * gain * 10) / 10,
        pm10UgM3: Math.round(truth * gain * 1.4 * 10) / 10,
        temperatureC: Math.round((24 + 4 * Math.cos(((hour - 14) / 24) * 2 * Math.PI)) * 10) / 10,
        humidityPct: Math.round(70 + random() * 15),
        firmware: 'demo-0.1',
      };
      client.publish(nativeTopic(deviceId, 'reading'), JSON.stringify(reading), { qos: 1 });
    }, opts.intervalMs);
    client.on('close', () => undefined);
    client.once('end', () => clearInterval(timer));
    clients.push(client);
  }
  return {
    devices: clients.length,
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}

/** A small seeded PRNG (Mulberry32): reproducible demo data without a dependency. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
