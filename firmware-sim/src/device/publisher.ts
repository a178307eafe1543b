/**
 * The device's MQTT side (MQTT 3.1.1, QoS 1): drains the offline buffer oldest first while
 * connected, and removes readings from it only when the broker has acknowledged them (our
 * broker sends the PUBACK after storing). Keeps the retained status current, with a
 * retained last will saying the device is offline, and hands messages on its own retained
 * config topic to the device.
 *
 * One round of messages is in flight at a time. mqtt.js keeps an unacknowledged QoS 1
 * PUBLISH and sends it again after a reconnect, calling back on its PUBACK then; so a
 * dropped connection simply delays the round's acknowledgement. Only a change of broker
 * abandons a round: its readings are still in the buffer and go to the new broker.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { nativeTopic, type NativeReading } from '@airbox/protocol';
import type { Clock } from '../clock.ts';
import type { WireFormat } from './config.ts';
import type { OfflineBuffer } from './offline-buffer.ts';
import { TokenBucket } from './pacer.ts';
import type { DeviceStatus } from './status.ts';
import {
  lassMessages,
  nextNativeMessage,
  type LassIdentity,
  type OutgoingMessage,
} from './payloads.ts';

export interface PublisherOptions {
  deviceId: string;
  brokerUrl: string;
  username: string;
  password?: string;
  format: WireFormat;
  buffer: OfflineBuffer<NativeReading>;
  clock: Clock;
  lass: LassIdentity;
  /** The device's status; the publisher sets `online`. */
  status: () => Omit<DeviceStatus, 'online'>;
  /** A message on the device's config topic, unvalidated. */
  onConfigMessage: (payload: Buffer) => void;
  onError: (context: string, error: Error) => void;
  /** Largest batch payload. Our broker refuses more than 64 KiB by default. */
  maxPayloadBytes?: number;
  /** Data messages per second; our broker's default limit is 5/s per client. */
  maxMessagesPerS?: number;
  /** Most messages sent in one go, and the most LASS messages in flight at once. */
  burstMessages?: number;
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  keepaliveS?: number;
  /** Longest wait in `stop()` for a clean disconnect, in real time like mqtt.js's timers. */
  stopTimeoutMs?: number;
}

interface Round {
  client: MqttClient;
  lastSeq: number;
}

export class Publisher {
  readonly #o: PublisherOptions;
  readonly #pacer: TokenBucket;
  readonly #statusTopic: string;
  readonly #configTopic: string;
  #format: WireFormat;
  #brokerUrl: string;
  #client: MqttClient | null = null;
  #round: Round | null = null;
  #cancelRetry: (() => void) | null = null;
  #stopped = false;

  constructor(options: PublisherOptions) {
    this.#o = options;
    this.#format = options.format;
    this.#brokerUrl = options.brokerUrl;
    this.#statusTopic = nativeTopic(options.deviceId, 'status');
    this.#configTopic = nativeTopic(options.deviceId, 'config');
    const burst = options.burstMessages ?? 20;
    this.#pacer = new TokenBucket(options.maxMessagesPerS ?? 4, burst, options.clock.nowMs());
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  get format(): WireFormat {
    return this.#format;
  }

  get brokerUrl(): string {
    return this.#brokerUrl;
  }

  start(): void {
    if (this.#client === null && !this.#stopped) this.#connect();
  }

  /** Applies from the next round on. */
  setFormat(format: WireFormat): void {
    this.#format = format;
  }

  /** Moves to another broker; unacknowledged readings are sent there. */
  setBrokerUrl(url: string): void {
    if (url === this.#brokerUrl) return;
    this.#brokerUrl = url;
    const old = this.#client;
    this.#client = null;
    this.#round = null;
    old?.end(true);
    if (!this.#stopped) this.#connect();
  }

  /** New readings are in the buffer: send them if connected. */
  kick(): void {
    this.#drain();
  }

  /** Publishes the retained status (online), if connected; otherwise it waits for connect. */
  publishStatus(): void {
    const client = this.#client;
    if (client === null || !client.connected) return;
    this.#pacer.charge(1, this.#o.clock.nowMs());
    const payload = JSON.stringify({ ...this.#o.status(), online: true });
    client.publish(this.#statusTopic, payload, { qos: 1, retain: true }, (err) => {
      if (err) this.#o.onError('status', err);
    });
  }

  /** Says "offline" in the retained status and disconnects cleanly (no last will). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelRetry?.();
    const client = this.#client;
    this.#client = null;
    if (client === null) return;
    const acked = client.connected && (await this.#publishOffline(client));
    // A clean DISCONNECT waits for every PUBACK outstanding; without the broker, don't wait.
    await client.endAsync(!acked || this.#round !== null);
  }

  #publishOffline(client: MqttClient): Promise<boolean> {
    const payload = JSON.stringify({ ...this.#o.status(), online: false });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#o.stopTimeoutMs ?? 2000);
      client.publish(this.#statusTopic, payload, { qos: 1, retain: true }, (err) => {
        clearTimeout(timer);
        resolve(!err);
      });
    });
  }

  #connect(): void {
    const offline = JSON.stringify({ ...this.#o.status(), online: false });
    const client = mqtt.connect(this.#brokerUrl, {
      clientId: this.#o.deviceId,
      username: this.#o.username,
      password: this.#o.password,
      protocolVersion: 4,
      clean: true,
      // We subscribe on every connect ourselves; the retained config comes with it.
      resubscribe: false,
      reconnectPeriod: this.#o.reconnectPeriodMs ?? 5000,
      connectTimeout: this.#o.connectTimeoutMs ?? 10_000,
      keepalive: this.#o.keepaliveS ?? 60,
      // The status as of this connect, marked offline: the broker publishes it if we vanish.
      will: { topic: this.#statusTopic, payload: Buffer.from(offline), qos: 1, retain: true },
    });
    this.#client = client;
    client.on('connect', () => {
      if (client === this.#client) this.#onConnect(client);
    });
    client.on('message', (topic, payload) => {
      if (client === this.#client && topic === this.#configTopic) this.#o.onConfigMessage(payload);
    });
    client.on('error', (err) => {
      if (client === this.#client) this.#o.onError(`mqtt ${this.#brokerUrl}`, err);
    });
  }

  #onConnect(client: MqttClient): void {
    client.subscribe(this.#configTopic, { qos: 1 }, (err, granted) => {
      // MQTT 3.1.1 §3.9.3: 0x80 in the SUBACK is a refusal.
      const refused = err ?? (granted?.[0]?.qos === 128 ? new Error('SUBACK 0x80') : null);
      if (refused) this.#o.onError(`subscribe ${this.#configTopic}`, refused);
    });
    this.publishStatus();
    this.#drain();
  }

  #drain(): void {
    const client = this.#client;
    const buffer = this.#o.buffer;
    if (this.#stopped || this.#round !== null || this.#cancelRetry !== null) return;
    if (client === null || !client.connected || buffer.size === 0) return;
    const messages = this.#nextMessages();
    const last = messages.at(-1);
    if (last === undefined) return;
    const waitMs = this.#pacer.take(messages.length, this.#o.clock.nowMs());
    if (waitMs > 0) {
      this.#cancelRetry = this.#o.clock.setTimer(() => {
        this.#cancelRetry = null;
        this.#drain();
      }, waitMs);
      return;
    }
    const round: Round = { client, lastSeq: last.lastSeq };
    this.#round = round;
    let pending = messages.length;
    let failure: Error | null = null;
    for (const m of messages) {
      client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
        failure ??= err ?? null;
        if (--pending === 0) void this.#finishRound(round, failure);
      });
    }
  }

  #nextMessages(): OutgoingMessage[] {
    const buffer = this.#o.buffer;
    const burst = this.#pacer.burst;
    if (this.#format === 'lass') {
      return lassMessages(this.#o.deviceId, buffer.peek(burst), this.#o.lass);
    }
    const maxBytes = this.#o.maxPayloadBytes ?? 32_768;
    // A reading is ~150 bytes: this peeks enough to fill a batch without copying the buffer.
    const oldest = buffer.peek(Math.ceil(maxBytes / 64));
    const message = nextNativeMessage(this.#o.deviceId, oldest, buffer.size, maxBytes);
    return message === null ? [] : [message];
  }

  /** On the round's PUBACKs: acknowledge its readings in the buffer, then go on. */
  async #finishRound(round: Round, failure: Error | null): Promise<void> {
    if (this.#round !== round) return; // abandoned: we moved to another broker
    if (failure === null) {
      await this.#o.buffer
        .ackThrough(round.lastSeq)
        .catch((e: unknown) => this.#o.onError('buffer', asError(e)));
    } else {
      this.#o.onError('publish', failure);
    }
    if (this.#round !== round) return;
    this.#round = null;
    if (failure !== null) return; // the next connect (or reading) starts again
    if (this.#o.buffer.size === 0) this.publishStatus();
    this.#drain();
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
