import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** MQTT 3.1.1 over real sockets, no reconnecting: what the broker decides is final. */
export function connect(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...opts });
}

/** The CONNACK return code a refused CONNECT got (MQTT 3.1.1 §3.2.2.3), or 0 if accepted. */
export async function connackCode(url: string, opts: IClientOptions): Promise<number> {
  try {
    const client = await connect(url, opts);
    await client.endAsync(true);
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw e;
  }
}

/**
 * Publishes with QoS 1 and answers how it ended: 'acked' (PUBACK), or 'closed' (the broker
 * refused it: MQTT 3.1.1 has no negative PUBACK, it closes the connection).
 */
export function publishOutcome(
  client: MqttClient,
  topic: string,
  payload: string | Buffer,
  opts: { retain?: boolean } = {},
): Promise<'acked' | 'closed'> {
  return new Promise((resolve) => {
    const onClose = () => resolve('closed');
    client.once('close', onClose);
    client.publish(topic, payload, { qos: 1, retain: opts.retain ?? false }, (err) => {
      client.off('close', onClose);
      resolve(err ? 'closed' : 'acked');
    });
  });
}

/** Resolves true if the client is closed within `ms`, else false. */
export function closedWithin(client: MqttClient, ms: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('close', onClose);
  });
}

/** A LASS ver_format=3 line naming `deviceId`, the PM2.5 in `s_d0`. */
export function lassLine(deviceId: string, pm25: number, time = '09:00:00'): string {
  return `|ver_format=3|app=AirBox|device_id=${deviceId}|date=2026-11-27|time=${time}|s_d0=${pm25.toFixed(2)}`;
}

/** Every reading stored for these devices. */
export const ALL_TIME = { fromMs: 0, toMs: Date.UTC(2030, 0, 1) };
