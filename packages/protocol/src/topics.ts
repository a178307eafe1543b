/**
 * MQTT topics (DESIGN.md, "MQTT topics"). Native topics carry the device id at a fixed
 * level; of the LASS topics, only some do.
 */

export const NATIVE_KINDS = ['reading', 'batch', 'status', 'config'] as const;
export type NativeKind = (typeof NATIVE_KINDS)[number];

export type ParsedTopic =
  | { family: 'native'; deviceId: string; kind: NativeKind }
  | { family: 'lass'; deviceId?: string; topic: string };

/**
 * LASS topics accepted unchanged from existing devices, most specific first.
 * `+` in the device position means that level is the device id. `LASS/Test/+` covers the
 * other LASS apps (MAPS, EXAMPLE_APP1 of the 2015 capture, …).
 */
export const LASS_TOPICS = [
  { filter: 'LASS/Test/PM25', deviceLevel: null },
  { filter: 'LASS/Test/PM25/live', deviceLevel: null },
  { filter: 'LASS/Test/PM25/+', deviceLevel: 3 },
  { filter: 'LASS/Test/Pm25Ameba/+', deviceLevel: 3 },
  { filter: 'LASS/Test/MAPS', deviceLevel: null },
  { filter: 'LASS/Test/+', deviceLevel: null },
  { filter: 'LASS/AirBox/#', deviceLevel: null },
] as const;

/** What a stream worker subscribes to. */
export const READING_SUBSCRIPTIONS = ['airbox/v1/+/reading', 'airbox/v1/+/batch', 'LASS/#'];

export function nativeTopic(deviceId: string, kind: NativeKind): string {
  return `airbox/v1/${deviceId}/${kind}`;
}

/** The topic a LASS device with this id publishes on, per LASS's per-device convention. */
export function lassTopic(deviceId?: string): string {
  return deviceId === undefined ? 'LASS/Test/PM25' : `LASS/Test/PM25/${deviceId}`;
}

export function parseTopic(topic: string): ParsedTopic | null {
  const levels = topic.split('/');
  if (levels[0] === 'airbox') {
    const [, version, deviceId, kind] = levels;
    if (levels.length !== 4 || version !== 'v1' || !deviceId) return null;
    return isNativeKind(kind) ? { family: 'native', deviceId, kind } : null;
  }
  for (const { filter, deviceLevel } of LASS_TOPICS) {
    if (matchesFilter(filter, levels)) {
      const deviceId = deviceLevel === null ? undefined : levels[deviceLevel];
      return deviceId ? { family: 'lass', deviceId, topic } : { family: 'lass', topic };
    }
  }
  return null;
}

/** MQTT topic filter matching (MQTT 3.1.1 §4.7: `+` one level, `#` the rest). */
export function matchesFilter(filter: string, levels: string[]): boolean {
  const parts = filter.split('/');
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '#') return true;
    if (i >= levels.length) return false;
    if (parts[i] !== '+' && parts[i] !== levels[i]) return false;
  }
  return parts.length === levels.length;
}

function isNativeKind(kind: string | undefined): kind is NativeKind {
  return (NATIVE_KINDS as readonly string[]).includes(kind ?? '');
}
