import type { Duplex } from 'node:stream';

/**
 * A packet-size ceiling enforced while the bytes arrive, before anything buffers a packet.
 * Aedes' parser (mqtt-packet) appends every byte of a packet to a buffer until the packet is
 * complete, and only then do the size and login checks run: a CONNECT that declares 256 MB
 * would be buffered in full first. The guard reads each packet's fixed header as it passes
 * and closes the connection as soon as a declared length is over the limit, so a connection
 * costs at most one socket chunk (≤ 64 KiB) beyond the limit.
 */
export interface PacketLimits {
  /** Largest packet (remaining length) once the client is connected. */
  maxPacketBytes: number;
  /** Largest first packet; it must be a CONNECT ([MQTT-3.1.0-1]). */
  maxConnectBytes: number;
}

export type PacketViolation =
  | { code: 'packet-too-large'; declaredBytes: number; limitBytes: number; connected: boolean }
  | { code: 'not-connect-first'; packetType: number }
  | { code: 'malformed-length' };

const CONNECT = 1;
/** MQTT 3.1.1 §2.2.3: the remaining length takes at most four bytes, 7 bits each. */
const MAX_LENGTH_BYTES = 4;
const TYPE = 0;
const LENGTH = 1;
const BODY = 2;

/** Follows MQTT fixed headers across chunks; one per connection, a few numbers of state. */
export class PacketHeaderReader {
  private readonly limits: PacketLimits;
  private state = TYPE;
  private packets = 0;
  private packetType = 0;
  private lengthBytes = 0;
  private length = 0;
  private bodyLeft = 0;

  constructor(limits: PacketLimits) {
    this.limits = limits;
  }

  /** Reads a chunk; returns the first violation in it, or null when all is within limits. */
  read(chunk: Uint8Array): PacketViolation | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === BODY) {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
        if (this.bodyLeft === 0) this.state = TYPE;
        continue;
      }
      const byte = chunk[i++]!;
      const violation = this.state === TYPE ? this.typeByte(byte) : this.lengthByte(byte);
      if (violation !== null) return violation;
    }
    return null;
  }

  private typeByte(byte: number): PacketViolation | null {
    this.packetType = byte >> 4;
    this.lengthBytes = 0;
    this.length = 0;
    this.state = LENGTH;
    // [MQTT-3.1.0-1]: the first packet from the client must be a CONNECT.
    return this.packets === 0 && this.packetType !== CONNECT
      ? { code: 'not-connect-first', packetType: this.packetType }
      : null;
  }

  /** MQTT 3.1.1 §2.2.3: remaining length, least significant 7-bit group first. */
  private lengthByte(byte: number): PacketViolation | null {
    this.length += (byte & 0x7f) * 128 ** this.lengthBytes;
    this.lengthBytes++;
    if (byte & 0x80) {
      return this.lengthBytes >= MAX_LENGTH_BYTES ? { code: 'malformed-length' } : null;
    }
    const connected = this.packets > 0;
    const limit = connected ? this.limits.maxPacketBytes : this.limits.maxConnectBytes;
    this.packets++;
    if (this.length > limit) {
      return { code: 'packet-too-large', declaredBytes: this.length, limitBytes: limit, connected };
    }
    this.bodyLeft = this.length;
    // A packet without a body (PINGREQ, DISCONNECT) is complete with its header.
    this.state = this.length > 0 ? BODY : TYPE;
    return null;
  }
}

/**
 * Watches a connection that Aedes already reads: with a 'readable' listener in place (Aedes
 * reads with `read()`), a 'data' listener sees each chunk as `read()` hands it over and does
 * not switch the stream to flowing mode (Node's stream docs, "Choose one API style"). So
 * call it after `aedes.handle(conn)`. On a violation the connection is destroyed at once.
 */
export function guardPackets(
  conn: Duplex,
  limits: PacketLimits,
  onViolation: (violation: PacketViolation) => void,
): void {
  const reader = new PacketHeaderReader(limits);
  conn.on('data', (chunk: Buffer) => {
    const violation = reader.read(chunk);
    if (violation === null) return;
    onViolation(violation);
    conn.destroy();
  });
}
