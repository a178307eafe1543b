import type { Registry } from '@airbox/registry';
import type { ReadingStore } from '@airbox/store';
import { publicStoreOf } from '@airbox/web';

/**
 * The store as the public routes see it, from the registry's boxes as they are now: what a
 * process without a RegistryView (a task thread, `airbox archive`) publishes from.
 */
export async function publicStoreFromRegistry(
  store: ReadingStore,
  registry: Registry,
): Promise<ReadingStore> {
  const devices = await registry.devices.list();
  const ids = (keep: (d: (typeof devices)[number]) => boolean) =>
    new Set(devices.filter(keep).map((d) => d.deviceId));
  const indoor = ids((d) => d.placement === 'indoor');
  const hidden = ids((d) => d.visibility === 'private');
  const exact = ids((d) => d.exactPosition);
  return publicStoreOf(store, {
    indoorDevices: () => indoor,
    hiddenDevices: () => hidden,
    exactPositionDevices: () => exact,
  });
}
