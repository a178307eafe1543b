import type { Subscription, AlertEvent } from '../types.ts';
import { alertEvent } from './events.ts';
import type { StateTable } from './state.ts';
import { boxesOf, type DeviceDirectory, type WatchIndex } from './watches.ts';

const PREFIX = 'offline:';
/** The most sweeps a group of quiet boxes waits for more before it is told. */
const MAX_GROUP_SWEEPS = 4;

/**
 * Which boxes have gone quiet, for offline subscriptions. Quiet time counts from the box's
 * last reading, this process's start or the subscription's creation, whichever is latest:
 * while the server itself was down no box could reach it, and that is not the boxes' fault. A box found offline stays so
 * in the registry's state, so a restart neither forgets it nor tells again.
 */
export class OfflineWatch {
  private readonly lastSeen = new Map<string, number>();
  /** Box → the subscriptions that told it offline: what a returning box looks up. */
  private readonly down = new Map<string, Set<string>>();
  /** Subscription → boxes found quiet, waiting a sweep for others to join them. */
  private readonly grouping = new Map<string, { quiet: Map<string, number>; sweeps: number }>();
  private readonly startedMs: number;
  private readonly minuteMs: number;

  constructor(startedMs: number, minuteMs: number) {
    this.startedMs = startedMs;
    this.minuteMs = minuteMs;
  }

  /** Learns the boxes already told offline, from the state loaded at start. */
  load(state: StateTable): void {
    for (const [subId, key] of state.entries()) {
      if (key.startsWith(PREFIX)) this.markDown(key.slice(PREFIX.length), subId);
    }
  }

  seen(deviceId: string, nowMs: number): void {
    this.lastSeen.set(deviceId, nowMs);
  }

  /** A box was heard from: an 'online' for each subscription that told it offline. */
  returned(
    deviceId: string,
    nowMs: number,
    index: WatchIndex | null,
    state: StateTable,
  ): { sub: Subscription; event: AlertEvent }[] {
    const subs = this.down.get(deviceId);
    if (!subs) return [];
    this.down.delete(deviceId);
    const out: { sub: Subscription; event: AlertEvent }[] = [];
    for (const subId of subs) {
      const since = state.get(subId, PREFIX + deviceId)?.['sinceMs'];
      state.set(subId, PREFIX + deviceId, null);
      const sub = index?.subscriptions.get(subId);
      if (!sub || typeof since !== 'number') continue;
      const episodeStart = new Date(since).toISOString();
      const fields = {
        episodeStart,
        atMs: nowMs,
        deviceIds: [deviceId],
        label: deviceId,
        valueUgM3: null,
      };
      out.push({ sub, event: alertEvent(sub, deviceId, 'online', fields) });
    }
    return out;
  }

  /**
   * The boxes quiet for longer than each subscription allows and not told yet: ONE event per
   * subscription naming them all, so 300 boxes going quiet together make one message. Boxes
   * found quiet wait one sweep in a group: those that went quiet a moment later (a power cut
   * reaching a school's rooms over some seconds) join it instead of making a second message.
   * A group waits at most MAX_GROUP_SWEEPS while more keep coming.
   */
  sweep(
    nowMs: number,
    index: WatchIndex,
    state: StateTable,
    devices: DeviceDirectory,
    positionOf: (deviceId: string) => { lat: number; lon: number } | null,
    owns: (deviceId: string) => boolean,
  ): { sub: Subscription; event: AlertEvent }[] {
    const out: { sub: Subscription; event: AlertEvent }[] = [];
    for (const watch of index.offline) {
      const sub = watch.subscription;
      const group = this.grouping.get(sub.id) ?? { quiet: new Map<string, number>(), sweeps: 0 };
      // A box heard from again while its group waited is not offline after all.
      for (const [id, since] of group.quiet)
        if ((this.lastSeen.get(id) ?? -Infinity) > since) group.quiet.delete(id);
      const fresh = this.newlyQuiet(nowMs, watch, state, devices, positionOf, owns, group.quiet);
      for (const q of fresh) group.quiet.set(q.deviceId, q.sinceMs);
      group.sweeps += 1;
      if (group.quiet.size === 0) {
        this.grouping.delete(sub.id);
      } else if (fresh.length > 0 && group.sweeps < MAX_GROUP_SWEEPS) {
        this.grouping.set(sub.id, group);
      } else {
        this.grouping.delete(sub.id);
        out.push({ sub, event: this.tell(sub, group.quiet, nowMs, state) });
      }
    }
    return out;
  }

  private newlyQuiet(
    nowMs: number,
    watch: WatchIndex['offline'][number],
    state: StateTable,
    devices: DeviceDirectory,
    positionOf: (deviceId: string) => { lat: number; lon: number } | null,
    owns: (deviceId: string) => boolean,
    waiting: ReadonlyMap<string, number>,
  ): { deviceId: string; sinceMs: number }[] {
    const sub = watch.subscription;
    const afterMs = (sub.offlineAfterMinutes ?? 1) * this.minuteMs;
    // Nobody can tell a box was quiet before anyone was watching: not before this process
    // started, nor before the subscription was made.
    const watchedFromMs = Math.max(this.startedMs, Date.parse(sub.createdAt));
    const quiet: { deviceId: string; sinceMs: number }[] = [];
    for (const deviceId of boxesOf(watch, devices, positionOf)) {
      if (!owns(deviceId) || waiting.has(deviceId) || state.get(sub.id, PREFIX + deviceId))
        continue;
      const sinceMs = Math.max(this.lastSeen.get(deviceId) ?? -Infinity, watchedFromMs);
      if (nowMs - sinceMs >= afterMs) quiet.push({ deviceId, sinceMs });
    }
    return quiet;
  }

  /** One event for the group; each box is remembered as told. */
  private tell(
    sub: Subscription,
    quiet: ReadonlyMap<string, number>,
    nowMs: number,
    state: StateTable,
  ): AlertEvent {
    for (const [deviceId, sinceMs] of quiet) {
      state.set(sub.id, PREFIX + deviceId, { phase: 'offline', sinceMs });
      this.markDown(deviceId, sub.id);
    }
    const deviceIds = [...quiet.keys()].sort();
    const first = Math.min(...quiet.values());
    const fields = {
      episodeStart: new Date(first).toISOString(),
      atMs: nowMs,
      deviceIds,
      label: deviceIds.length === 1 ? deviceIds[0]! : `${deviceIds.length} boxes`,
      valueUgM3: null,
    };
    return alertEvent(sub, 'boxes', 'offline', fields);
  }

  private markDown(deviceId: string, subId: string): void {
    let subs = this.down.get(deviceId);
    if (!subs) this.down.set(deviceId, (subs = new Set<string>()));
    subs.add(subId);
  }
}
