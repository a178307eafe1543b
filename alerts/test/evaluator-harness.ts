import type { StoredReading } from '@airbox/contracts';
import {
  openSqliteRegistry,
  type DeviceRecord,
  type NewDevice,
  type Registry,
} from '@airbox/registry';
import {
  AlertEvaluator,
  checkSubscription,
  MemoryOutbox,
  specJson,
  type AlertInput,
} from '../src/index.ts';

export const T0 = Date.UTC(2026, 11, 8, 0, 0);
export const MINUTE_MS = 60_000;

/** A real (in-memory SQLite) registry, a fake clock, an outbox that keeps what it is given. */
export class Harness {
  nowMs = T0;
  readonly outbox = new MemoryOutbox();
  evaluator: AlertEvaluator | null = null;
  private readonly boxes = new Map<string, DeviceRecord>();

  readonly registry: Registry;

  private constructor(registry: Registry) {
    this.registry = registry;
  }

  static async open(path = ':memory:'): Promise<Harness> {
    return new Harness(await openSqliteRegistry(path, { now: () => T0 }));
  }

  async account(email: string): Promise<string> {
    const a = await this.registry.accounts.create({
      email,
      password: 'a long passphrase',
      displayName: email,
    });
    return a.id;
  }

  async box(input: NewDevice): Promise<void> {
    await this.registry.devices.add({ lat: 25.04, lon: 121.53, ...input });
    this.boxes.set(input.deviceId, (await this.registry.devices.get(input.deviceId))!);
  }

  async subscribe(
    accountId: string,
    input: Partial<AlertInput> & Pick<AlertInput, 'target' | 'kind'>,
  ): Promise<string> {
    const spec = await checkSubscription(
      { channel: { type: 'webhook', url: 'http://127.0.0.1:9/hook' }, ...input },
      { allowPrivateWebhooks: true },
    );
    const { id } = await this.registry.alerts.create({
      owner: { kind: 'account', id: accountId },
      kind: spec.kind,
      spec: specJson(spec),
    });
    return id;
  }

  /** A new evaluator on the same registry, as after a restart (the outbox, like the real one, remembers keys). */
  async start(): Promise<AlertEvaluator> {
    await this.evaluator?.stop();
    const boxes = this.boxes;
    this.evaluator = new AlertEvaluator({
      registry: this.registry,
      devices: { device: (id) => boxes.get(id), list: () => boxes.values() },
      outbox: this.outbox,
      now: () => this.nowMs,
      sweepMs: 1e9,
    });
    await this.evaluator.start({ subscribe: () => () => {} });
    return this.evaluator;
  }

  /** Readings of the boxes at the clock's time, then the clock moves on by `stepMs`. */
  publish(deviceIds: string[], pm25UgM3: number, overrides: Partial<StoredReading> = {}): void {
    const time = new Date(this.nowMs).toISOString();
    this.evaluator!.onReadings(
      deviceIds.map((deviceId) => reading(deviceId, time, pm25UgM3, overrides)),
    );
  }

  /** One reading a minute for `minutes` minutes. */
  async minutes(minutes: number, deviceIds: string[], pm25UgM3: number): Promise<void> {
    for (let i = 0; i < minutes; i++) {
      this.publish(deviceIds, pm25UgM3);
      this.nowMs += MINUTE_MS;
    }
    await Promise.resolve();
  }

  types(): string[] {
    return this.outbox.events.map((e) => e.type);
  }

  async close(): Promise<void> {
    await this.evaluator?.stop();
    await this.registry.close();
  }
}

function reading(
  deviceId: string,
  time: string,
  pm25UgM3: number,
  overrides: Partial<StoredReading>,
): StoredReading {
  return {
    deviceId,
    time,
    receivedAt: time,
    lat: 25.04,
    lon: 121.53,
    pm1UgM3: null,
    pm25UgM3,
    pm10UgM3: null,
    temperatureC: null,
    humidityPct: null,
    format: 'native-v1',
    app: null,
    firmware: null,
    flags: [],
    kind: 'box',
    pm25CalibratedUgM3: null,
    calibrationModel: null,
    ...overrides,
  };
}
