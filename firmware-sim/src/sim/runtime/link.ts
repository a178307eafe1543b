/**
 * One virtual box's MQTT 3.1.1 connection, kept small on purpose: the simulator holds
 * 15,000 of them in one process, and an mqtt.js client costs ~33 KB each here (measured:
 * 3,000 clients, +99 MB RSS) against a few KB for a socket and a packet parser. The real
 * firmware (`airbox box`) uses mqtt.js; this link speaks the same protocol subset it
 * needs: CONNECT with credentials and a retained last will, QoS 1 PUBLISH with PUBACK
 * tracking, PINGREQ, and a clean close.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface LinkOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  /** Retained last will, e.g. the box's "offline" status. */
  will?: { topic: string; payload: string };
  keepaliveS: number;
  connectTimeoutMs: number;
}

export type LinkState = 'connecting' | 'open' | 'closed';

/** What a virtual box needs of its connection (tests put an in-memory one in its place). */
export interface Link {
  readonly state: LinkState;
  readonly inFlight: number;
  publish(topic: string, payload: string, retain?: boolean): Promise<void>;
  end(): void;
  drop(reason: string): void;
}

export type LinkFactory = (opts: LinkOptions, onClose: (reason: string) => void) => Promise<Link>;

/**
 * A QoS 1 publish resolves on PUBACK and rejects when the connection closes first, so the
 * caller keeps the reading for the next connection (at-least-once, as the firmware).
 */
export class MqttLink implements Link {
  state: LinkState = 'connecting';
  /** Why the link closed, when it did (refused CONNECT, socket error, peer closed). */
  closeReason: string | null = null;
  readonly #socket: Socket;
  readonly #parser = mqttPacket.parser({ protocolVersion: 4 });
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #opened: { resolve: () => void; reject: (e: Error) => void } | null = null;
  #ping: NodeJS.Timeout | null = null;
  #onClose: (reason: string) => void = () => undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Resolves once the broker accepted the CONNECT. */
  static open(opts: LinkOptions, onClose: (reason: string) => void): Promise<MqttLink> {
    const socket = connect({ host: opts.host, port: opts.port });
    const link = new MqttLink(socket);
    link.#onClose = onClose;
    return link.#start(opts);
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  #start(opts: LinkOptions): Promise<MqttLink> {
    const socket = this.#socket;
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => this.#close(`no CONNACK within ${opts.connectTimeoutMs} ms`),
      opts.connectTimeoutMs,
    );
    const opened = new Promise<MqttLink>((resolve, reject) => {
      this.#opened = {
        resolve: () => {
          clearTimeout(timer);
          resolve(this);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
    this.#parser.on('packet', (p: Packet) => this.#onPacket(p));
    this.#parser.on('error', (e: Error) => this.#close(`bad packet from broker: ${e.message}`));
    socket.on('data', (chunk: Buffer) => this.#parser.parse(chunk));
    socket.on('error', (e) => this.#close(e.message));
    socket.on('close', () => this.#close('connection closed by the broker'));
    socket.on('connect', () => {
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: opts.clientId,
          keepalive: opts.keepaliveS,
          username: opts.username,
          password: opts.password === undefined ? undefined : Buffer.from(opts.password),
          will:
            opts.will === undefined
              ? undefined
              : { ...opts.will, payload: Buffer.from(opts.will.payload), qos: 1, retain: true },
        }),
      );
      // MQTT 3.1.1 §3.1.2.10: the client must send something within the keepalive period.
      this.#ping = setInterval(
        () => socket.write(mqttPacket.generate({ cmd: 'pingreq' })),
        (opts.keepaliveS * 1000) / 2,
      );
      this.#ping.unref();
    });
    return opened;
  }

  #onPacket(p: Packet): void {
    if (p.cmd === 'connack') {
      if (p.returnCode === 0) {
        this.state = 'open';
        this.#opened?.resolve();
      } else {
        this.#close(`broker refused the connection (CONNACK return code ${p.returnCode})`);
      }
    } else if (p.cmd === 'puback' && p.messageId !== undefined) {
      this.#pending.get(p.messageId)?.resolve();
      this.#pending.delete(p.messageId);
    }
  }

  /** QoS 1; resolves on PUBACK. `retain` for status. */
  publish(topic: string, payload: string, retain = false): Promise<void> {
    if (this.state !== 'open') {
      return Promise.reject(new Error(`not connected (${this.closeReason ?? this.state})`));
    }
    const messageId = this.#allocateId();
    const packet = mqttPacket.generate({
      cmd: 'publish',
      topic,
      payload: Buffer.from(payload),
      qos: 1,
      retain,
      dup: false,
      messageId,
    });
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(messageId, { resolve, reject });
      this.#socket.write(packet);
    });
  }

  /** A clean DISCONNECT: the broker does not publish the will. */
  end(): void {
    if (this.state === 'open') this.#socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
    this.#close('closed by the box');
  }

  /** Drops the connection without DISCONNECT, as a Wi-Fi outage does: the will fires. */
  drop(reason: string): void {
    this.#socket.destroy();
    this.#close(reason);
  }

  #allocateId(): number {
    // MQTT 3.1.1 §2.3.1: packet identifiers are non-zero 16-bit numbers.
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id >= 0xffff ? 1 : id + 1;
      if (!this.#pending.has(id)) return id;
    }
  }

  #close(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
    if (this.#ping !== null) clearInterval(this.#ping);
    if (!this.#socket.destroyed) this.#socket.destroy();
    const error = new Error(reason);
    this.#opened?.reject(error);
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    this.#onClose(reason);
  }
}
