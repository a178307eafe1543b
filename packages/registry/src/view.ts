import type { CredentialRow, DeviceRecord, DeviceStore, Role } from './port.ts';
import { verifyCredential } from './secrets.ts';

/** How often a view asks the database what changed: a revocation acts within about this. */
export const VIEW_POLL_MS = 1000;

type Device = DeviceRecord & { credential: CredentialRow };
type Log = (event: string, fields: Record<string, unknown>) => void;

export interface RegistryViewOptions {
  pollIntervalMs?: number;
  /** Told once when the database stops answering and once when it answers again. */
  log?: Log;
}

/**
 * Every box, in memory: what the broker reads on each CONNECT and PUBLISH and the API on each
 * request, without a database round trip. Loaded from `devices.snapshot()`, then kept fresh
 * by asking `devices.changesSince(seq)` every poll interval — writes from this process, from
 * `airbox device` in another, or from a second broker on the same PostgreSQL all arrive that
 * way. A writer in this process calls `refresh()` to see its own write at once.
 *
 * When the database stops answering the view keeps what it had: boxes go on connecting with
 * the credentials last seen, and `stale` says so until a poll succeeds again.
 */
/** The id sets the public routes ask for on every answer, worked out once per change. */
interface DerivedSets {
  version: number;
  indoor: ReadonlySet<string>;
  private: ReadonlySet<string>;
  exact: ReadonlySet<string>;
}

export class RegistryView {
  private devices = new Map<string, Device>();
  private seq: number;
  private version = 0;
  private readonly listeners = new Set<(deviceIds: readonly string[]) => void>();
  private readonly log: Log;
  private readonly timer: NodeJS.Timeout;
  /** Polls run one after another; a tick while one is under way is skipped. */
  private chain: Promise<void> = Promise.resolve();
  private polling = false;
  private derived: DerivedSets | null = null;
  private closed = false;
  private error: Error | null = null;

  private readonly store: DeviceStore;

  private constructor(
    store: DeviceStore,
    first: { seq: number; devices: Device[] },
    options: RegistryViewOptions,
  ) {
    this.store = store;
    for (const d of first.devices) this.devices.set(d.deviceId, d);
    this.seq = first.seq;
    this.log = options.log ?? (() => {});
    this.timer = setInterval(() => {
      if (!this.polling) void this.refresh();
    }, options.pollIntervalMs ?? VIEW_POLL_MS);
    this.timer.unref();
  }

  /** Loads every box; fails if the database cannot be read now (nothing to fall back on). */
  static async open(store: DeviceStore, options: RegistryViewOptions = {}): Promise<RegistryView> {
    return new RegistryView(store, await store.snapshot(), options);
  }

  /** Is this id registered (revoked or not)? Nobody else may speak as it. */
  has(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  /**
   * Is this a registered box that logs in? False for an unknown id and for an anonymous LASS
   * box assigned to an owner (it publishes without credentials, so its anonymous lines are
   * its own).
   */
  logsIn(deviceId: string): boolean {
    const d = this.devices.get(deviceId);
    return d !== undefined && !d.anonymousLass;
  }

  device(deviceId: string): DeviceRecord | undefined {
    return this.devices.get(deviceId);
  }

  /** Every box, in no particular order. */
  list(): IterableIterator<DeviceRecord> {
    return this.devices.values();
  }

  /** The role and secret stamp of a valid, unrevoked login, or null. Constant-time compare. */
  verify(username: string, password: Buffer | string): { role: Role; stamp: string } | null {
    const credential = this.devices.get(username)?.credential;
    if (!credential || !verifyCredential(credential, password)) return null;
    return { role: credential.role, stamp: credential.stamp };
  }

  /** The stamp of the box's current secret; null once it is revoked or removed. */
  stamp(deviceId: string): string | null {
    const credential = this.devices.get(deviceId)?.credential;
    return !credential || credential.revoked ? null : credential.stamp;
  }

  indoorDeviceIds(): ReadonlySet<string> {
    return this.sets().indoor;
  }

  /** Boxes that no public route may show. */
  privateDeviceIds(): ReadonlySet<string> {
    return this.sets().private;
  }

  /** Boxes whose owner chose to show the exact position (an indoor one is rounded otherwise). */
  exactPositionDeviceIds(): ReadonlySet<string> {
    return this.sets().exact;
  }

  /** Changes whenever any box did (in this view's knowledge): cheap to compare every second. */
  changeVersion(): number {
    return this.version;
  }

  /** Called with the ids of the boxes each applied change touched. Returns its removal. */
  onChange(listener: (deviceIds: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while the database does not answer: reads come from the last snapshot. */
  get stale(): boolean {
    return this.error !== null;
  }

  get lastError(): Error | null {
    return this.error;
  }

  /** Applies what changed now (after a write in this process), behind any poll under way. */
  refresh(): Promise<void> {
    this.chain = this.chain.then(() => this.poll());
    return this.chain;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.listeners.clear();
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    this.polling = true;
    try {
      const changes = await this.store.changesSince(this.seq);
      // The counter went back: the database was restored from a backup or replaced.
      if (changes.seq < this.seq) await this.reload();
      else this.apply(changes.seq, changes.changed);
      this.recovered();
    } catch (e) {
      this.failed(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.polling = false;
    }
  }

  private apply(seq: number, changed: { deviceId: string; device: Device | null }[]): void {
    this.seq = seq;
    if (this.closed || changed.length === 0) return;
    for (const { deviceId, device } of changed) {
      if (device) this.devices.set(deviceId, device);
      else this.devices.delete(deviceId);
    }
    this.changed(changed.map((c) => c.deviceId));
  }

  private async reload(): Promise<void> {
    const { seq, devices } = await this.store.snapshot();
    const before = this.devices;
    this.devices = new Map(devices.map((d) => [d.deviceId, d]));
    this.seq = seq;
    const ids = new Set([...before.keys(), ...this.devices.keys()]);
    this.changed([...ids].filter((id) => !sameDevice(before.get(id), this.devices.get(id))));
  }

  private changed(deviceIds: string[]): void {
    if (deviceIds.length === 0) return;
    this.version++;
    for (const listener of this.listeners) listener(deviceIds);
  }

  private sets(): DerivedSets {
    if (this.derived?.version === this.version) return this.derived;
    const indoor = new Set<string>();
    const hidden = new Set<string>();
    const exact = new Set<string>();
    for (const d of this.devices.values()) {
      if (d.placement === 'indoor') indoor.add(d.deviceId);
      if (d.visibility === 'private') hidden.add(d.deviceId);
      if (d.exactPosition) exact.add(d.deviceId);
    }
    this.derived = { version: this.version, indoor, private: hidden, exact };
    return this.derived;
  }

  /** One line per outage, not one per poll. */
  private failed(e: Error): void {
    if (this.error === null) {
      this.log('registry-unavailable', {
        error: e.message,
        action: 'serving the boxes as last read until the database answers',
      });
    }
    this.error = e;
  }

  private recovered(): void {
    if (this.error === null) return;
    this.log('registry-available', { after: this.error.message });
    this.error = null;
  }
}

function sameDevice(a: Device | undefined, b: Device | undefined): boolean {
  if (!a || !b) return a === b;
  const { credential: ca, ...ra } = a;
  const { credential: cb, ...rb } = b;
  return (
    ca.stamp === cb.stamp && ca.revoked === cb.revoked && JSON.stringify(ra) === JSON.stringify(rb)
  );
}
