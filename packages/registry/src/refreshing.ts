import type { DeviceStore } from './port.ts';
import type { RegistryView } from './view.ts';

/**
 * The same boxes, whose writes resolve only once `view` shows them: what this process
 * writes, its broker and API act on at once instead of at the view's next poll (a box just
 * added can connect; a box just revoked is cut off). Writes from other processes still
 * arrive by the poll. The API does the same through AccountsOptions.afterDeviceChange.
 */
export function refreshingDevices(devices: DeviceStore, view: RegistryView): DeviceStore {
  const seen = async <T>(write: Promise<T>): Promise<T> => {
    const result = await write;
    await view.refresh();
    return result;
  };
  return {
    get: (deviceId) => devices.get(deviceId),
    list: (filter) => devices.list(filter),
    snapshot: () => devices.snapshot(),
    changesSince: (seq) => devices.changesSince(seq),
    add: (input) => seen(devices.add(input)),
    issueMany: (ids, role, options) => seen(devices.issueMany(ids, role, options)),
    update: (deviceId, patch) => seen(devices.update(deviceId, patch)),
    rotate: (deviceId) => seen(devices.rotate(deviceId)),
    revoke: (deviceId) => seen(devices.revoke(deviceId)),
    remove: (deviceId) => seen(devices.remove(deviceId)),
    transfer: (deviceId, to) => seen(devices.transfer(deviceId, to)),
  };
}
