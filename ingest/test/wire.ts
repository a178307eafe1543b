/** MQTT 3.1.1 packets by hand, for tests that send what a well-behaved client would not. */

/** MQTT 3.1.1 §2.2.3 remaining length. */
export function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** A length-prefixed UTF-8 string (MQTT 3.1.1 §1.5.3). */
export function str(s: string): number[] {
  const b = [...Buffer.from(s)];
  return [b.length >> 8, b.length & 0xff, ...b];
}

/** A CONNECT (MQTT 3.1.1 §3.1) with a username and password, clean session. */
export function connectPacket(clientId: string, username?: string, password?: string): Buffer {
  const flags = 0x02 | (username ? 0x80 : 0) | (password ? 0x40 : 0);
  const body = [...str('MQTT'), 4, flags, 0, 60, ...str(clientId)];
  if (username) body.push(...str(username));
  if (password) body.push(...str(password));
  return Buffer.from([0x10, ...remainingLength(body.length), ...body]);
}

/** A QoS 1 PUBLISH (MQTT 3.1.1 §3.3) with packet id `id`. */
export function publishPacket(topic: string, payload: string, id = 1): Buffer {
  const body = [...str(topic), id >> 8, id & 0xff, ...Buffer.from(payload)];
  return Buffer.from([0x32, ...remainingLength(body.length), ...body]);
}
