import { pm25Trusted, pm25Usable, type LiveSource, type StoredReading } from '@airbox/contracts';
import type { AlertStore, Registry } from '@airbox/registry';
import type { AlertEvent, AlertOutbox, Subscription } from '../types.ts';
import { isEpisodeState, QUIET, stepEpisode, type EpisodeState } from './episode.ts';
import { alertEvent, conditionOf } from './events.ts';
import { OfflineWatch } from './offline.ts';
import { BoxSeries, median } from './series.ts';
import { StateTable } from './state.ts';
import {
  buildWatchIndex,
  countsForArea,
  type DeviceDirectory,
  type WatchIndex,
} from './watches.ts';

export interface EvaluatorOptions {
  registry: Pick<Registry, 'accounts' | 'orgs'> & { alerts: AlertStore };
  devices: DeviceDirectory;
  outbox: AlertOutbox;
  now?: () => number;
  /** How long one of a subscription's minutes lasts: 60 000, shorter only in tests. */
  minuteMs?: number;
  /** How often offline boxes and areas are looked at, and state is written. Default 30 s. */
  sweepMs?: number;
  /** How often subscriptions are reloaded from the registry. Default 30 s. */
  reloadMs?: number;
  /** The boxes this process evaluates (its stream partitions); default all. */
  owns?: (deviceId: string) => boolean;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Alerts on the reading stream (issue 16). A reading costs a few map lookups and one step of
 * each subscription about its box, in memory; nothing on that path waits for the database or
 * the outbox, and nothing thrown there reaches ingest. Areas, offline boxes, state writes and
 * reloads happen in a sweep every `sweepMs`.
 */
export class AlertEvaluator {
  private readonly o: Required<Omit<EvaluatorOptions, 'registry' | 'devices' | 'outbox'>> &
    Pick<EvaluatorOptions, 'registry' | 'devices' | 'outbox'>;
  private index: WatchIndex | null = null;
  private readonly series = new Map<string, BoxSeries>();
  /** Boxes whose newest reading carried a flag that makes PM2.5 suspect: left out of areas. */
  private readonly suspect = new Set<string>();
  private readonly positions = new Map<string, { lat: number; lon: number }>();
  private readonly state: StateTable;
  private readonly offline: OfflineWatch;
  /** Events the outbox has not taken yet (it failed): tried again at each sweep. */
  private retry: { event: AlertEvent; sub: Subscription }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastReloadMs = -Infinity;
  private sweeping: Promise<void> | null = null;

  constructor(options: EvaluatorOptions) {
    this.o = {
      now: Date.now,
      minuteMs: MINUTE_MS,
      sweepMs: 30_000,
      reloadMs: 30_000,
      owns: () => true,
      log: () => {},
      ...options,
    };
    this.state = new StateTable(options.registry.alerts);
    this.offline = new OfflineWatch(this.o.now(), this.o.minuteMs);
  }

  /** Loads subscriptions and state, then listens to `source` and sweeps every `sweepMs`. */
  async start(source: LiveSource): Promise<void> {
    await this.state.load();
    this.offline.load(this.state);
    await this.reload();
    this.unsubscribe = source.subscribe((readings) => this.onReadings(readings));
    this.timer = setInterval(() => void this.sweep(), this.o.sweepMs);
    this.timer.unref();
  }

  /** The reading path. Never throws: a fault here must not stop the worker's fan-out. */
  onReadings(readings: readonly StoredReading[]): void {
    try {
      const nowMs = this.o.now();
      for (const r of readings)
        if (r.kind === 'box' && this.o.owns(r.deviceId)) this.onReading(r, nowMs);
    } catch (e) {
      this.o.log('alert-evaluation-failed', { error: (e as Error).message });
    }
  }

  /** Reloads (when due), evaluates areas and offline boxes, retries, writes state. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((e: unknown) => this.o.log('alert-sweep-failed', { error: (e as Error).message }))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
    await this.state.flush();
  }

  private onReading(r: StoredReading, nowMs: number): void {
    this.offline.seen(r.deviceId, nowMs);
    if (r.lat !== null && r.lon !== null)
      this.positions.set(r.deviceId, { lat: r.lat, lon: r.lon });
    this.backOnline(r.deviceId, nowMs);
    const value = r.pm25CalibratedUgM3 ?? r.pm25UgM3;
    if (value === null || value === undefined || !pm25Usable(r.flags)) return;
    if (pm25Trusted(r.flags)) this.suspect.delete(r.deviceId);
    else this.suspect.add(r.deviceId);
    let series = this.series.get(r.deviceId);
    if (!series) this.series.set(r.deviceId, (series = new BoxSeries()));
    const atMs = Date.parse(r.time);
    if (!series.add(atMs, value)) return;
    for (const sub of this.subscriptionsOf(r.deviceId)) {
      const v = series.value(sub.averaging);
      if (v !== null) this.step(sub, r.deviceId, v, atMs, [r.deviceId], this.labelOf(r.deviceId));
    }
  }

  private subscriptionsOf(deviceId: string): Subscription[] {
    if (!this.index) return [];
    const own = this.index.byDevice.get(deviceId) ?? [];
    const owner = this.o.devices.device(deviceId)?.owner;
    const org = owner?.kind === 'org' ? (this.index.byOrg.get(owner.id) ?? []) : [];
    return org.length === 0 ? own : [...own, ...org];
  }

  /** One step of a subscription's episode for one box or area; an event when one fires. */
  private step(
    sub: Subscription,
    about: string,
    valueUgM3: number,
    atMs: number,
    deviceIds: string[],
    label: string,
  ): void {
    const stored = this.state.get(sub.id, about);
    const before: EpisodeState = isEpisodeState(stored) ? stored : QUIET;
    const onForMs = (sub.forMinutes ?? 0) * this.o.minuteMs;
    const offForMs = (sub.clearForMinutes ?? sub.forMinutes ?? 0) * this.o.minuteMs;
    const { state, fired } = stepEpisode(
      before,
      conditionOf(sub, valueUgM3),
      atMs,
      onForMs,
      offForMs,
    );
    if (state !== before)
      this.state.set(sub.id, about, state.phase === 'quiet' ? null : { ...state });
    if (fired === null) return;
    const episodeStart = fired === 'alert' ? state.episodeStart! : before.episodeStart!;
    this.enqueue(
      alertEvent(sub, about, fired, { episodeStart, atMs, deviceIds, label, valueUgM3 }),
      sub,
    );
  }

  private backOnline(deviceId: string, nowMs: number): void {
    for (const { sub, event } of this.offline.returned(deviceId, nowMs, this.index, this.state)) {
      this.enqueue(event, sub);
    }
  }

  private enqueue(event: AlertEvent, sub: Subscription): void {
    this.o.outbox.enqueue(event, sub).then(
      () =>
        this.o.log('alert-event', {
          key: event.key,
          type: event.type,
          deviceIds: event.deviceIds.length,
        }),
      (e: unknown) => {
        this.o.log('alert-enqueue-failed', { key: event.key, error: (e as Error).message });
        this.retry.push({ event, sub });
      },
    );
  }

  private async sweepOnce(): Promise<void> {
    const nowMs = this.o.now();
    if (nowMs - this.lastReloadMs >= this.o.reloadMs) await this.reload();
    this.sweepAreas(nowMs);
    if (this.index) {
      const found = this.offline.sweep(
        nowMs,
        this.index,
        this.state,
        this.o.devices,
        (id) => this.positionOf(id),
        this.o.owns,
      );
      for (const { sub, event } of found) this.enqueue(event, sub);
    }
    const again = this.retry;
    this.retry = [];
    for (const { event, sub } of again) this.enqueue(event, sub);
    await this.state.flush();
  }

  private async reload(): Promise<void> {
    this.lastReloadMs = this.o.now();
    const records = await this.o.registry.alerts.listActive();
    this.index = await buildWatchIndex(records, this.o.registry, this.o.devices);
  }

  /**
   * An area's value: the median of its public outdoor boxes with a trusted reading in the
   * last hour, so a few broken or private boxes neither move it nor show in it.
   */
  private sweepAreas(nowMs: number): void {
    for (const { test, averaging, subscriptions } of this.index?.areas.values() ?? []) {
      const values: number[] = [];
      for (const [deviceId, series] of this.series) {
        if (nowMs - series.lastMs > HOUR_MS || this.suspect.has(deviceId)) continue;
        if (!countsForArea(this.o.devices.device(deviceId)) || !this.o.owns(deviceId)) continue;
        const p = this.positionOf(deviceId);
        if (p === null || !test.contains(p.lat, p.lon)) continue;
        const v = series.value(averaging);
        if (v !== null) values.push(v);
      }
      const value = median(values);
      if (value === null) continue;
      for (const sub of subscriptions) this.step(sub, 'area', value, nowMs, [], test.label);
    }
  }

  private positionOf(deviceId: string): { lat: number; lon: number } | null {
    const box = this.o.devices.device(deviceId);
    if (box && box.lat !== null && box.lon !== null) return { lat: box.lat, lon: box.lon };
    return this.positions.get(deviceId) ?? null;
  }

  private labelOf(deviceId: string): string {
    return this.o.devices.device(deviceId)?.name ?? deviceId;
  }

  /**
   * The area alerts ongoing now, each distinct one once: what the public may know (areas are
   * made of public boxes only), without who subscribed or how they are told.
   */
  activeAreaAlerts(): ActiveAreaAlert[] {
    const found = new Map<string, ActiveAreaAlert>();
    for (const { test, subscriptions } of this.index?.areas.values() ?? []) {
      for (const sub of subscriptions) {
        const s = this.state.get(sub.id, 'area');
        if (!isEpisodeState(s) || (s.phase !== 'active' && s.phase !== 'falling')) continue;
        const alert: ActiveAreaAlert = {
          area: 'area' in sub.target ? sub.target.area : { county: test.label },
          label: test.label,
          kind: sub.kind,
          thresholdUgM3: sub.thresholdUgM3,
          scale: sub.scale,
          category: sub.category,
          since: s.episodeStart!,
        };
        found.set(
          JSON.stringify([test.key, alert.kind, alert.thresholdUgM3, alert.category]),
          alert,
        );
      }
    }
    return [...found.values()].sort((a, b) => a.since.localeCompare(b.since));
  }

  /** For tests and /metrics: state changes not yet written. */
  get pendingStateWrites(): number {
    return this.state.pending;
  }
}

/** An ongoing public area alert (GET /api/v1/alerts/active). */
export interface ActiveAreaAlert {
  area: Extract<Subscription['target'], { area: unknown }>['area'];
  label: string;
  kind: Subscription['kind'];
  thresholdUgM3: number | null;
  scale: string | null;
  category: string | null;
  /** When the episode started (ISO 8601 UTC). */
  since: string;
}
