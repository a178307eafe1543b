import type { RegistryView } from '@airbox/registry';
import type { PublishCheck, PublishContext } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/** A status or config message is a few hundred bytes; a retained one is replayed to everyone. */
export const DEFAULT_MAX_RETAINED_BYTES = 4096;

/**
 * Our rule: the broker keeps a retained message for every later subscriber (MQTT 3.1.1
 * §3.3.1.3), so retained PUBLISHes go only where the design keeps one — a device's own
 * `airbox/v1/<id>/status`, and (from services) a registered device's `…/config` or
 * `…/status` — each at most `maxBytes`. With one per topic ([MQTT-3.3.1-5]) that bounds
 * them at two per registered device. Anything else retained is refused.
 */
export function retainedWhereDesigned(registry: RegistryView, maxBytes: number): PublishCheck {
  return (ctx) => {
    if (!ctx.retain) return PASS;
    if (!retainable(ctx, registry)) {
      return refusal(
        'retain-not-allowed',
        `${ctx.client.id} may not retain a message on ${ctx.topic}: only a device's status (and a service's config or status) is retained`,
      );
    }
    return ctx.payload.length <= maxBytes
      ? PASS
      : refusal(
          'payload-too-large',
          `retained payload is ${ctx.payload.length} bytes; the limit for retained messages is ${maxBytes}`,
          ctx.payload.subarray(0, maxBytes),
        );
  };
}

function retainable({ who, parsed }: PublishContext, registry: RegistryView): boolean {
  if (parsed?.family !== 'native') return false;
  if (who.role === 'device') return parsed.kind === 'status' && parsed.deviceId === who.deviceId;
  if (who.role === 'service') {
    return (parsed.kind === 'config' || parsed.kind === 'status') && registry.has(parsed.deviceId);
  }
  return false;
}
