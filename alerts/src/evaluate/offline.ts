import type { Subscription, AlertEvent } from '../types.ts';
import { alertEvent } from './events.ts';
import type { StateTable } from './state.ts';
import { boxesOf, type DeviceDirectory, type WatchIndex } from './watches.ts';

const PREFIX = 'offline:';

/**
 * Which boxes have gone quiet, for offline subscriptions. Quiet time counts from the box's
 * last reading or from this process's start, whichever is later: while the server itself was
 * down no box could reach it, and that is not the boxes' fault. A box found offline stays so
 * in the registry's state, so a restart neither forgets it nor tells again.
 */
export class OfflineWatch {
  private readonly lastSeen = new Map<string, number>();
  /** Box → the subscriptions that told it offline: what a returning box looks up. */
  private readonly down = new Map<string, Set<string>>();
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
   * subscription naming them all, so 300 boxes going quiet together make one message.
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
      const afterMs = (sub.offlineAfterMinutes ?? 1) * this.minuteMs;
      const quiet: { deviceId: string; sinceMs: number }[] = [];
      for (const deviceId of boxesOf(watch, devices, positionOf)) {
        if (!owns(deviceId) || state.get(sub.id, PREFIX + deviceId)) continue;
        const sinceMs = Math.max(this.lastSeen.get(deviceId) ?? -Infinity, this.startedMs);
        if (nowMs - sinceMs >= afterMs) quiet.push({ deviceId, sinceMs });
      }
      if (quiet.length === 0) continue;
      for (const q of quiet) {
        state.set(sub.id, PREFIX + q.deviceId, { phase: 'offline', sinceMs: q.sinceMs });
        this.markDown(q.deviceId, sub.id);
      }
      const deviceIds = quiet.map((q) => q.deviceId).sort();
      const first = Math.min(...quiet.map((q) => q.sinceMs));
      const label = quiet.length === 1 ? deviceIds[0]! : `${quiet.length} boxes`;
      const fields = {
        episodeStart: new Date(first).toISOString(),
        atMs: nowMs,
        deviceIds,
        label,
        valueUgM3: null,
      };
      out.push({ sub, event: alertEvent(sub, 'boxes', 'offline', fields) });
    }
    return out;
  }

  private markDown(deviceId: string, subId: string): void {
    let subs = this.down.get(deviceId);
    if (!subs) this.down.set(deviceId, (subs = new Set<string>()));
    subs.add(subId);
  }
}
