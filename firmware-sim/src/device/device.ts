/**
 * The device runtime, wired as a pipeline: sampler → offline buffer → publisher. Every
 * reading is on disk before anything tries to send it. The retained config topic is
 * validated and applied here, the one place that owns the sampling and the connection.
 */
import { nativeTopic, type NativeReading } from '@airbox/protocol';
import { systemClock, type Clock } from '../clock.ts';
import type { PmsSensor } from '../pms/driver.ts';
import { parseRemoteConfig, type DeviceConfig } from './config.ts';
import { DeviceError } from './errors.ts';
import { OfflineBuffer } from './offline-buffer.ts';
import { decodeBufferedReading } from './payloads.ts';
import { Publisher, type PublisherOptions } from './publisher.ts';
import {
  Sampler,
  type ClimateSample,
  type PmSample,
  type SampleSource,
  type SamplerReport,
} from './sampler.ts';
import type { DeviceStatus } from './status.ts';

/** Sent as `firmware` in readings and status, and as LASS `ver_app`. */
export const FIRMWARE_VERSION = '0.1.0';

/** Publisher settings a deployment or a test may tune; the rest comes from the config. */
export type PublisherTuning = Partial<
  Pick<
    PublisherOptions,
    | 'maxPayloadBytes'
    | 'maxMessagesPerS'
    | 'burstMessages'
    | 'reconnectPeriodMs'
    | 'connectTimeoutMs'
    | 'keepaliveS'
    | 'stopTimeoutMs'
  >
>;

export interface DeviceOptions {
  config: DeviceConfig;
  sources: { pm: SampleSource<PmSample>; climate?: SampleSource<ClimateSample> };
  clock?: Clock;
  publisher?: PublisherTuning;
  /** Each reading once it is safely in the offline buffer. */
  onReading?: (reading: NativeReading) => void;
  /** Every error the device also reports as `lastError` (for a log). */
  onError?: (context: string, error: Error) => void;
}

export class Device {
  readonly config: DeviceConfig;
  readonly buffer: OfflineBuffer<NativeReading>;
  readonly sampler: Sampler;
  readonly publisher: Publisher;
  readonly #clock: Clock;
  readonly #bootMs: number;
  readonly #options: DeviceOptions;
  #lastError: string | null = null;
  #lastReading: NativeReading | null = null;
  #configErrorShown = false;

  /** Opens the offline buffer (restoring what a previous run left), then starts. */
  static async start(options: DeviceOptions): Promise<Device> {
    const { buffer: b } = options.config;
    const buffer = await OfflineBuffer.open({
      dir: b.dir,
      maxReadings: b.maxReadings,
      decode: decodeBufferedReading,
    });
    const device = new Device(options, buffer);
    device.sampler.start();
    device.publisher.start();
    return device;
  }

  private constructor(options: DeviceOptions, buffer: OfflineBuffer<NativeReading>) {
    const { config } = options;
    this.config = config;
    this.buffer = buffer;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#bootMs = this.#clock.nowMs();
    this.sampler = new Sampler({
      clock: this.#clock,
      pm: options.sources.pm,
      climate: options.sources.climate,
      intervalS: config.intervalS,
      samplesPerReport: config.samplesPerReport,
      onReport: (report) => this.#store(report),
      onError: (e) => this.#fail('sampling', asError(e)),
    });
    this.publisher = new Publisher({
      ...options.publisher,
      deviceId: config.deviceId,
      brokerUrl: config.broker.url,
      username: config.broker.username ?? config.deviceId,
      password: config.broker.password,
      format: config.format,
      buffer,
      clock: this.#clock,
      lass: { app: 'PM25', device: 'airbox-fw', verApp: FIRMWARE_VERSION, bootMs: this.#bootMs },
      status: () => this.#statusFields(),
      onConfigMessage: (payload) => this.#applyConfig(payload),
      onError: (context, e) => this.#fail(context, e),
    });
  }

  /** What the retained status topic says, as of now. */
  status(): DeviceStatus {
    return { ...this.#statusFields(), online: this.publisher.connected };
  }

  /** The last report, once it is in the offline buffer (for `/data.json`). */
  lastReading(): NativeReading | null {
    return this.#lastReading;
  }

  /** Stops sampling, says "offline", disconnects and closes the buffer. */
  async stop(): Promise<void> {
    await this.sampler.stop();
    await this.publisher.stop();
    await this.buffer.close();
  }

  async #store(report: SamplerReport): Promise<void> {
    const { position } = this.config;
    const reading: NativeReading = {
      v: 1,
      deviceId: this.config.deviceId,
      time: new Date(report.timeMs).toISOString(),
      ...(position === undefined ? {} : { lat: position.lat, lon: position.lon }),
      pm1UgM3: report.pm1UgM3,
      pm25UgM3: report.pm25UgM3,
      pm10UgM3: report.pm10UgM3,
      temperatureC: report.temperatureC,
      humidityPct: report.humidityPct,
      firmware: FIRMWARE_VERSION,
    };
    await this.buffer.append([reading]);
    this.#lastReading = reading;
    this.#options.onReading?.(reading);
    this.publisher.kick();
  }

  /** Validates a retained config message; applies it whole, or ignores it and says why. */
  #applyConfig(payload: Buffer): void {
    const topic = nativeTopic(this.config.deviceId, 'config');
    const current = {
      intervalS: this.sampler.intervalS,
      samplesPerReport: this.sampler.samplesPerReport,
    };
    const result = parseRemoteConfig(payload, current);
    if (!result.ok) {
      const message = `config on ${topic} ignored: ${result.error}`;
      this.#fail('config', new DeviceError('DEVICE_REMOTE_CONFIG_INVALID', message));
      this.#configErrorShown = true;
      this.publisher.publishStatus();
      return;
    }
    const c = result.config;
    this.sampler.setSampling(
      c.intervalS ?? current.intervalS,
      c.samplesPerReport ?? current.samplesPerReport,
    );
    if (c.format !== undefined) this.publisher.setFormat(c.format);
    if (this.#configErrorShown) this.#lastError = null; // the config in force is valid now
    this.#configErrorShown = false;
    this.publisher.publishStatus();
    if (c.brokerUrl !== undefined) this.publisher.setBrokerUrl(c.brokerUrl);
  }

  #statusFields(): Omit<DeviceStatus, 'online'> {
    const stats = this.buffer.stats();
    return {
      deviceId: this.config.deviceId,
      firmware: FIRMWARE_VERSION,
      uptimeS: Math.floor((this.#clock.nowMs() - this.#bootMs) / 1000),
      backlog: stats.readings,
      droppedReadings: stats.droppedReadings,
      lastError: this.#lastError,
      format: this.publisher.format,
      intervalS: this.sampler.intervalS,
      samplesPerReport: this.sampler.samplesPerReport,
      time: new Date(this.#clock.nowMs()).toISOString(),
    };
  }

  #fail(context: string, error: Error): void {
    this.#lastError = context === 'config' ? error.message : `${context}: ${error.message}`;
    this.#configErrorShown = false;
    this.#options.onError?.(context, error);
  }
}

/**
 * A PMS driver as the sampler's PM source: the next frame's atmospheric values
 * (PMS5003 datasheet "under atmospheric environment"; LASS s_d0 = PM2.5 atm).
 */
export function pmsSampleSource(sensor: PmsSensor): SampleSource<PmSample> {
  return async () => {
    const r = await sensor.read();
    return { pm1UgM3: r.pm1AtmUgM3, pm25UgM3: r.pm25AtmUgM3, pm10UgM3: r.pm10AtmUgM3 };
  };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
