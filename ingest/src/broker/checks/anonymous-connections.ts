import { ADMIT, connectRefusal, type AdmitCheck } from './context.ts';

/** Default of `airbox serve --max-anonymous-connections`. */
export const DEFAULT_MAX_ANONYMOUS_CONNECTIONS = 2000;

/**
 * Our rule: anonymous LASS boxes are taken on trust, so at most `max` are connected at
 * once; past it a CONNECT is refused with CONNACK 3, "server unavailable" (MQTT 3.1.1
 * §3.2.2.3), and logged-in boxes still get in.
 */
export function anonymousConnectionsWithin(max: number, connected: () => number): AdmitCheck {
  return ({ who }) =>
    who.role !== 'anonymous-lass' || connected() < max
      ? ADMIT
      : connectRefusal(3, `${max} anonymous clients are connected already`, {
          reason: 'anonymous connection cap',
        });
}
