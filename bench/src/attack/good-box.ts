/**
 * After each attack, can a well-behaved box still get a reading stored? It connects as a
 * registered box, publishes one reading (QoS 1; with the embedded hand-off the PUBACK comes
 * once it is stored) and the API must then give it as the box's newest reading.
 */
import type { Credentials } from '@airbox/registry';
import { nativeTopic } from '@airbox/protocol';
import { z } from 'zod';
import { connectAndPublish } from './mqtt.ts';

export interface GoodBoxSeen {
  connected: boolean;
  stored: boolean;
  /** What happened, in words. */
  detail: string;
}

const DeviceAnswer = z.object({ latest: z.object({ time: z.string() }) });

/** The newest reading time the API gives for the device, or why there is none. */
async function newestTimeMs(httpPort: number, deviceId: string): Promise<number | string> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/devices/${deviceId}`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return `GET /api/v1/devices/${deviceId} answered ${res.status}`;
    return Date.parse(DeviceAnswer.parse(await res.json()).latest.time);
  } catch (e) {
    return `GET /api/v1/devices/${deviceId} failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export async function checkGoodBox(
  ports: { mqtt: number; http: number },
  box: Credentials,
): Promise<GoodBoxSeen> {
  // A whole second, so the time is stored as sent.
  const timeMs = Math.floor(Date.now() / 1000) * 1000;
  const time = new Date(timeMs).toISOString();
  const outcome = await connectAndPublish(
    ports.mqtt,
    { clientId: box.deviceId, username: box.username, password: box.password },
    {
      topic: nativeTopic(box.deviceId, 'reading'),
      payload: `{"time":"${time}","lat":25.04,"lon":121.53,"pm25UgM3":12,"temperatureC":24.5,"humidityPct":61}`,
    },
  );
  const connected = outcome === 'acked' || outcome === 'closed-after-publish';
  if (outcome !== 'acked') {
    return { connected, stored: false, detail: `connect and publish: ${outcome}` };
  }
  const newest = await newestTimeMs(ports.http, box.deviceId);
  if (typeof newest === 'string') return { connected, stored: false, detail: newest };
  return newest === timeMs
    ? { connected, stored: true, detail: 'connected; its reading was stored' }
    : { connected, stored: false, detail: `newest stored is ${new Date(newest).toISOString()}` };
}
