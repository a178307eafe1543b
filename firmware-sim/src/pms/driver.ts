/**
 * `PmsSensor`: one Plantower sensor on a serial port (or any Duplex carrying its bytes —
 * the fleet simulator's virtual sensors and the tests' mock ports use the same code).
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { sleepMs, systemClock, type Clock } from '../clock.ts';
import { encodePmsCommand, type PmsCommandName } from './commands.ts';
import { PmsError, type PmsErrorCode } from './errors.ts';
import {
  PmsFrameParser,
  type PmsFrame,
  type PmsParseEvent,
  type PmsRejectReason,
} from './frame.ts';
import { PMS_MODELS, PMS_SERIAL, PMS_WARM_UP_MS, type PmsModel } from './models.ts';

export type PmsMode = 'active' | 'passive';

/** A good frame as it arrived: `receivedAtMs` is epoch ms on the driver's clock. */
export type PmsReading = PmsFrame & {
  receivedAtMs: number;
  /** False while the fan has run less than `warmUpMs` since power-up or wake. */
  warmedUp: boolean;
};

/** Counters since the driver started, for the device's status report. */
export interface PmsStats {
  framesOk: number;
  rejected: Record<PmsRejectReason, number>;
  /** Bytes dropped while searching for a frame start (line noise, torn frames). */
  skippedBytes: number;
  acks: number;
  readTimeouts: number;
  portErrors: number;
}

export interface PmsSensorEvents {
  reading: [PmsReading];
  rejected: [{ reason: PmsRejectReason; bytes: Uint8Array }];
  ack: [{ command: number; data: number }];
}

export interface PmsSensorOptions {
  port: Duplex;
  model: PmsModel;
  /** Names the port in errors; defaults to the port's `path` when it has one. */
  portName?: string;
  /** Longest wait for a frame in `read()`. The default, 5 s, is over twice the 2.3 s a
   * PMS5003 in active "stable" mode takes between frames (datasheet). */
  readTimeoutMs?: number;
  /** Fan run time before readings count as stable; datasheet: ≥ 30 s after wake. */
  warmUpMs?: number;
  clock?: Clock;
  /** `close()` also closes the port (set by `openPmsSensor`). */
  ownsPort?: boolean;
}

interface PendingRead {
  resolve: (reading: PmsReading) => void;
  reject: (error: PmsError) => void;
}

export class PmsSensor extends EventEmitter<PmsSensorEvents> {
  readonly model: PmsModel;
  readonly portName: string;
  readonly readTimeoutMs: number;
  readonly warmUpMs: number;
  readonly #port: Duplex;
  readonly #clock: Clock;
  readonly #ownsPort: boolean;
  readonly #parser: PmsFrameParser;
  // PMS5003 datasheet: "Default mode is active after power up" (and the fan runs).
  #mode: PmsMode = 'active';
  #asleep = false;
  #awakeSinceMs: number;
  #closed = false;
  #pending = new Set<PendingRead>();
  #stats: PmsStats = {
    framesOk: 0,
    rejected: { 'bad-length': 0, 'bad-checksum': 0 },
    skippedBytes: 0,
    acks: 0,
    readTimeouts: 0,
    portErrors: 0,
  };
  readonly #onData = (chunk: Buffer) => this.#handle(this.#parser.push(chunk));
  readonly #onError = (err: Error) => {
    this.#stats.portErrors++;
    this.#failPending('PMS_PORT_ERROR', `port error: ${err.message}`, err);
  };
  readonly #onClose = () => this.#failPending('PMS_CLOSED', 'the port was closed');

  constructor(options: PmsSensorOptions) {
    super();
    this.model = options.model;
    this.#port = options.port;
    const path: unknown = 'path' in options.port ? options.port.path : undefined;
    this.portName = options.portName ?? (typeof path === 'string' ? path : 'serial port');
    this.readTimeoutMs = options.readTimeoutMs ?? 5_000;
    this.warmUpMs = options.warmUpMs ?? PMS_WARM_UP_MS;
    this.#clock = options.clock ?? systemClock;
    this.#ownsPort = options.ownsPort ?? false;
    this.#parser = new PmsFrameParser(options.model);
    this.#awakeSinceMs = this.#clock.nowMs(); // power-up counts as a wake
    this.#port.on('data', this.#onData);
    this.#port.on('error', this.#onError);
    this.#port.on('close', this.#onClose);
  }

  get mode(): PmsMode {
    return this.#mode;
  }

  get asleep(): boolean {
    return this.#asleep;
  }

  /** A copy of the counters; diff two copies for a per-interval status report. */
  stats(): PmsStats {
    return { ...this.#stats, rejected: { ...this.#stats.rejected } };
  }

  /** How long until readings count as stable: 0 once warm, the whole warm-up while asleep. */
  warmUpRemainingMs(): number {
    if (this.#asleep) return this.warmUpMs;
    return Math.max(0, this.#awakeSinceMs + this.warmUpMs - this.#clock.nowMs());
  }

  async setMode(mode: PmsMode): Promise<void> {
    await this.#command(mode === 'active' ? 'active-mode' : 'passive-mode');
    this.#mode = mode;
  }

  async sleep(): Promise<void> {
    await this.#command('sleep');
    this.#asleep = true;
    this.#failPending('PMS_ASLEEP', 'the sensor was put to sleep while a read waited');
  }

  /** Wakes the sensor; readings are flagged `warmedUp: false` for `warmUpMs` after this. */
  async wake(): Promise<void> {
    await this.#command('wake');
    this.#asleep = false;
    this.#awakeSinceMs = this.#clock.nowMs();
  }

  /**
   * The next good frame. In passive mode it first sends the passive-read request. Rejects
   * with PMS_READ_TIMEOUT (naming the port) when none arrives within `readTimeoutMs`.
   */
  async read(): Promise<PmsReading> {
    if (this.#closed) throw this.#error('PMS_CLOSED', 'read() after close()');
    if (this.#asleep)
      throw this.#error('PMS_ASLEEP', 'read() while asleep; call wake() (or readAfterWarmUp())');
    const before = this.stats();
    const reading = new Promise<PmsReading>((resolve, reject) => {
      const cancelTimer = this.#clock.setTimer(() => {
        this.#pending.delete(pending);
        this.#stats.readTimeouts++;
        reject(this.#timeoutError(before));
      }, this.readTimeoutMs);
      const pending: PendingRead = {
        resolve: (r) => {
          cancelTimer();
          resolve(r);
        },
        reject: (e) => {
          cancelTimer();
          reject(e);
        },
      };
      this.#pending.add(pending);
    });
    // It may settle while the request is being written, before the caller awaits it.
    reading.catch(() => undefined);
    if (this.#mode === 'passive') {
      await this.#write('passive-read').catch((err: PmsError) => this.#rejectAll(err));
    }
    return reading;
  }

  /** Duty-cycle read: wakes the sensor if asleep, waits out the warm-up, then reads. */
  async readAfterWarmUp(): Promise<PmsReading> {
    if (this.#asleep) await this.wake();
    await sleepMs(this.#clock, this.warmUpRemainingMs());
    return this.read();
  }

  /** Stops listening, fails waiting reads, and closes the port if this driver opened it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#failPending('PMS_CLOSED', 'the driver was closed while a read waited');
    this.#closed = true;
    this.#port.off('data', this.#onData);
    this.#port.off('close', this.#onClose);
    if (this.#ownsPort && !this.#port.destroyed) {
      const closed = new Promise<void>((resolve) => this.#port.once('close', () => resolve()));
      this.#port.destroy();
      await closed;
    }
    this.#port.off('error', this.#onError);
  }

  #handle(events: PmsParseEvent[]): void {
    for (const event of events) {
      if (event.kind === 'frame') this.#deliver(event.frame);
      else if (event.kind === 'rejected') {
        this.#stats.rejected[event.reason]++;
        this.emit('rejected', { reason: event.reason, bytes: event.bytes });
      } else if (event.kind === 'ack') {
        this.#stats.acks++;
        this.emit('ack', { command: event.command, data: event.data });
      } else this.#stats.skippedBytes += event.byteCount;
    }
  }

  #deliver(frame: PmsFrame): void {
    this.#stats.framesOk++;
    const warmedUp = this.warmUpRemainingMs() === 0;
    const reading: PmsReading = { ...frame, receivedAtMs: this.#clock.nowMs(), warmedUp };
    const waiting = [...this.#pending];
    this.#pending.clear();
    for (const p of waiting) p.resolve(reading);
    this.emit('reading', reading);
  }

  async #command(name: PmsCommandName): Promise<void> {
    if (!PMS_MODELS[this.model].acceptsCommands)
      throw this.#error(
        'PMS_COMMAND_UNSUPPORTED',
        `${name}: the ${this.model} takes no serial commands (PyPMS: "No passive mode read"); it always streams, and sleeps only through its SET pin`,
      );
    if (this.#closed) throw this.#error('PMS_CLOSED', `${name} after close()`);
    await this.#write(name);
  }

  #write(name: PmsCommandName): Promise<void> {
    const bytes = Buffer.from(encodePmsCommand(name));
    return new Promise((resolve, reject) => {
      this.#port.write(bytes, (err) => {
        if (!err) return resolve();
        const hint = 'check that the port is open and the cable is attached';
        reject(
          this.#error('PMS_WRITE_FAILED', `could not send ${name}: ${err.message}; ${hint}`, err),
        );
      });
    });
  }

  #failPending(code: PmsErrorCode, what: string, cause?: unknown): void {
    if (this.#pending.size > 0) this.#rejectAll(this.#error(code, what, cause));
  }

  #rejectAll(error: PmsError): void {
    const waiting = [...this.#pending];
    this.#pending.clear();
    for (const p of waiting) p.reject(error);
  }

  #timeoutError(before: PmsStats): PmsError {
    const now = this.#stats;
    const badLength = now.rejected['bad-length'] - before.rejected['bad-length'];
    const badChecksum = now.rejected['bad-checksum'] - before.rejected['bad-checksum'];
    const noise = now.skippedBytes - before.skippedBytes;
    const waitedFor = this.#mode === 'passive' ? 'the passive-read request' : 'the read began';
    return this.#error(
      'PMS_READ_TIMEOUT',
      `no valid frame within ${this.readTimeoutMs} ms of ${waitedFor} ` +
        `(meanwhile ${badChecksum} bad-checksum, ${badLength} bad-length, ${noise} noise bytes). ` +
        `Check that the sensor is powered and awake, its TX goes to this port's RX, ` +
        `the port runs at ${PMS_SERIAL.baudRate} 8N1, and the model (${this.model}) is right.`,
    );
  }

  #error(code: PmsErrorCode, what: string, cause?: unknown): PmsError {
    return new PmsError(code, `${this.model} on ${this.portName}: ${what}`, { cause });
  }
}

/** Opens `path` at 9600 8N1 (PMS5003 datasheet) and drives the sensor on it. */
export async function openPmsSensor(
  path: string,
  options: Omit<PmsSensorOptions, 'port' | 'portName' | 'ownsPort'>,
): Promise<PmsSensor> {
  const port = new SerialPort({ path, ...PMS_SERIAL, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => {
      if (!err) return resolve();
      const hint = 'check the device path and that this user may open it (group dialout)';
      reject(
        new PmsError('PMS_PORT_ERROR', `cannot open ${path}: ${err.message}; ${hint}`, {
          cause: err,
        }),
      );
    }),
  );
  return new PmsSensor({ ...options, port, portName: path, ownsPort: true });
}
