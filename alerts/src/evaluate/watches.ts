import type { AlertSubscriptionRecord, DeviceRecord } from '@airbox/registry';
import { toSubscription } from '../spec.ts';
import type { Subscription } from '../types.ts';
import { mayWatchBox, mayWatchOrg, type AccessRegistry } from './access.ts';
import { areaTest, type AreaTest } from './areas.ts';

/** The boxes the evaluator knows (the registry view's memory). */
export interface DeviceDirectory {
  device(deviceId: string): DeviceRecord | undefined;
  list(): Iterable<DeviceRecord>;
}

/**
 * The active subscriptions arranged for the reading path: a reading of a box finds the
 * subscriptions about it by two map lookups (its id, its organisation), never a scan.
 * Built off the reading path, whenever the evaluator reloads.
 */
export interface WatchIndex {
  subscriptions: Map<string, Subscription>;
  /** threshold and category subscriptions of one box, and of an organisation's boxes. */
  byDevice: Map<string, Subscription[]>;
  byOrg: Map<string, Subscription[]>;
  /** threshold and category subscriptions of areas, one entry per distinct area. */
  areas: Map<
    string,
    { test: AreaTest; averaging: Subscription['averaging']; subscriptions: Subscription[] }
  >;
  offline: OfflineWatchEntry[];
}

export interface OfflineWatchEntry {
  subscription: Subscription;
  area: AreaTest | null;
}

export async function buildWatchIndex(
  records: readonly AlertSubscriptionRecord[],
  registry: AccessRegistry,
  devices: DeviceDirectory,
): Promise<WatchIndex> {
  const index: WatchIndex = {
    subscriptions: new Map(),
    byDevice: new Map(),
    byOrg: new Map(),
    areas: new Map(),
    offline: [],
  };
  for (const record of records) {
    const sub = toSubscription(record);
    if (sub === null || !(await allowed(sub, registry, devices))) continue;
    index.subscriptions.set(sub.id, sub);
    place(index, sub);
  }
  return index;
}

/** Asked again at every reload: a box turned private or handed on stops alerting outsiders. */
async function allowed(
  sub: Subscription,
  registry: AccessRegistry,
  devices: DeviceDirectory,
): Promise<boolean> {
  const t = sub.target;
  if ('deviceId' in t) {
    const box = devices.device(t.deviceId);
    return box !== undefined && (await mayWatchBox(registry, sub.owner, box));
  }
  if ('orgId' in t) return mayWatchOrg(registry, sub.owner, t.orgId);
  return true;
}

function place(index: WatchIndex, sub: Subscription): void {
  const t = sub.target;
  if (sub.kind === 'offline') {
    index.offline.push({ subscription: sub, area: 'area' in t ? areaTest(t.area) : null });
    return;
  }
  if (sub.kind !== 'threshold' && sub.kind !== 'category') return;
  if ('deviceId' in t) push(index.byDevice, t.deviceId, sub);
  else if ('orgId' in t) push(index.byOrg, t.orgId, sub);
  else {
    // Subscriptions of one area and one averaging share one computed value.
    const test = areaTest(t.area);
    const key = `${test.key}|${sub.averaging}`;
    const entry = index.areas.get(key) ?? { test, averaging: sub.averaging, subscriptions: [] };
    entry.subscriptions.push(sub);
    index.areas.set(key, entry);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Whether a box may count towards an area's value: public and outdoors (or unregistered LASS). */
export function countsForArea(box: DeviceRecord | undefined): boolean {
  return box === undefined || (box.visibility === 'public' && box.placement === 'outdoor');
}

/** The boxes an offline subscription watches, among those the evaluator knows. */
export function boxesOf(
  watch: OfflineWatchEntry,
  devices: DeviceDirectory,
  positionOf: (deviceId: string) => { lat: number; lon: number } | null,
): string[] {
  const t = watch.subscription.target;
  if ('deviceId' in t) return devices.device(t.deviceId) ? [t.deviceId] : [];
  const out: string[] = [];
  for (const box of devices.list()) {
    if (box.role !== 'device' || box.revokedAt !== null) continue;
    if ('orgId' in t) {
      if (box.owner?.kind === 'org' && box.owner.id === t.orgId) out.push(box.deviceId);
    } else if (watch.area && countsForArea(box)) {
      const p = positionOf(box.deviceId);
      if (p && watch.area.contains(p.lat, p.lon)) out.push(box.deviceId);
    }
  }
  return out;
}
