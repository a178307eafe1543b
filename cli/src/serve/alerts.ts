import { AlertEvaluator, type AlertOutbox } from '@airbox/alerts';
import { UsageError } from '../io.ts';
import type { ServeBase, ServeData, ServeIngest } from './ingest.ts';

/** serve's alert flags (issue 16). */
export const ALERT_OPTIONS = {
  'webhook-allow-private': { type: 'boolean' },
  'alert-minute-ms': { type: 'string' },
} as const;

export const ALERT_USAGE = `Alerts (threshold, AQI category, box offline; POST /api/v1/me/alerts):
  --webhook-allow-private  accept webhooks to loopback and private addresses (a LAN deployment,
                           tests); refused by default, so a subscriber cannot make this server
                           call its own network (SSRF)
  --alert-minute-ms MS     how long one of an alert's minutes lasts (default 60000); shorter
                           only for tests and demonstrations`;

export interface AlertValues {
  'webhook-allow-private'?: boolean;
  'alert-minute-ms'?: string;
}

function minuteMs(v: AlertValues): number {
  const raw = v['alert-minute-ms'];
  if (raw === undefined) return 60_000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 10 || n > 60_000) {
    throw new UsageError(`--alert-minute-ms must be a whole number 10–60000, got '${raw}'`);
  }
  return n;
}

/**
 * The evaluator on this process's stored readings, when they are processed here
 * (`--handoff embedded`). With a stream or MQTT handoff the readings are stored by
 * `airbox worker` processes, which do not evaluate alerts yet: serve says so and leaves it.
 * Events go to delivery's outbox (alert-delivery.ts), which keeps them in the registry.
 */
export async function startAlerts(
  { v, io, log, handoff }: ServeBase & { v: AlertValues },
  { registry, view }: ServeData,
  { worker }: ServeIngest,
  outbox: AlertOutbox,
): Promise<AlertEvaluator | null> {
  if (handoff !== 'embedded') {
    log('alerts-not-evaluated', { handoff, reason: 'readings are stored by airbox worker' });
    return null;
  }
  const minute = minuteMs(v);
  const evaluator = new AlertEvaluator({
    registry,
    devices: view,
    outbox,
    now: io.now,
    minuteMs: minute,
    // A sweep per half minute, or per half of a shortened minute.
    sweepMs: Math.min(30_000, Math.max(5, minute / 2)),
    reloadMs: Math.min(30_000, Math.max(5, minute / 2)),
    log,
  });
  await evaluator.start(worker.live);
  return evaluator;
}
