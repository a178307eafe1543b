import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

/** An MQTT 3.1.1 CONNECT (clean session, keepalive off) as bytes. */
export function connectPacket(clientId: string, username?: string, password?: string): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
    username,
    password: password === undefined ? undefined : Buffer.from(password),
  });
}

/**
 * A minimal MQTT 3.1.1 publisher over a bare socket for load generation: it writes
 * pre-built PUBLISH packets and reads only CONNACK and PUBACK (fixed 4-byte packets), so
 * the benchmark measures the server rather than the client library's overhead.
 */
export class RawPublisher {
  private readonly socket: Socket;
  private nextId = 1;
  private readonly pending = new Map<number, (err?: Error) => void>();
  private buffered: Buffer = Buffer.alloc(0);

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      for (const cb of this.pending.values()) cb(new Error('connection closed'));
      this.pending.clear();
    });
    socket.on('error', () => undefined);
  }

  static open(
    port: number,
    clientId: string,
    username?: string,
    password?: string,
  ): Promise<RawPublisher> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('error', reject);
      socket.once('data', (d: Buffer) => {
        if (d[0] !== 0x20 || d[3] !== 0)
          return reject(new Error(`${clientId}: CONNACK refused (${d[3]})`));
        const client = new RawPublisher(socket);
        if (d.length > 4) client.onData(d.subarray(4));
        resolve(client);
      });
      socket.write(connectPacket(clientId, username, password));
    });
  }

  /** QoS 1 PUBLISH; `done` runs on its PUBACK. */
  publish(topic: string, payload: string, done: (err?: Error) => void): void {
    const messageId = this.nextId;
    this.nextId = this.nextId === 0xffff ? 1 : this.nextId + 1;
    this.pending.set(messageId, done);
    this.socket.write(
      mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload,
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      }),
    );
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    let buf = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (buf.length >= 4 && buf[0] === 0x40 && buf[1] === 0x02) {
      const id = buf.readUInt16BE(2);
      const cb = this.pending.get(id);
      this.pending.delete(id);
      cb?.();
      buf = buf.subarray(4);
    }
    this.buffered = buf;
  }
}
