import type { RunningBroker, StreamWorker } from '@airbox/ingest';
import type { NotReady } from '@airbox/web';
import type { EventLoopLag } from '../loop-lag.ts';

/**
 * Event-loop delay p99 above this, over the lag window, is a loop kept busy: every MQTT
 * CONNECT and page load waits about as long. 500 ms is a fraction of the 30 s a box waits
 * for its CONNACK, and far above what a healthy server shows (a few ms).
 */
export const READY_MAX_LAG_P99_MS = 500;
/** One stall longer than this (a p99 shows no single stall) also says: send clients elsewhere. */
export const READY_MAX_LAG_MS = 2_000;
/** Share of the write queue's bound at which new boxes had better go to another node. */
export const READY_MAX_QUEUE_SHARE = 0.8;

const ms = (v: number) => `${Math.round(v)} ms`;

/** Why this serve process should get no new boxes or viewers now (GET /readyz). */
export function serveReadiness(
  lag: Pick<EventLoopLag, 'windowMs' | 'stats'>,
  worker: Pick<StreamWorker, 'pendingReadings' | 'maxPendingReadings'>,
  ingest: Pick<RunningBroker['backpressure'], 'paused' | 'heldCount'>,
): () => NotReady[] {
  const windowS = lag.windowMs / 1000;
  return () => {
    const reasons: NotReady[] = [];
    if (ingest.paused) {
      reasons.push({
        code: 'ingest-paused',
        message: `the broker holds ${ingest.heldCount} PUBLISHes until the event loop catches up (--backpressure-lag-ms)`,
      });
    }
    const { p99Ms, maxMs } = lag.stats();
    if (p99Ms > READY_MAX_LAG_P99_MS || maxMs > READY_MAX_LAG_MS) {
      reasons.push({
        code: 'event-loop-lag',
        message:
          `event-loop delay over the last ${windowS} s: p99 ${ms(p99Ms)}, max ${ms(maxMs)}; ` +
          `ready again below p99 ${ms(READY_MAX_LAG_P99_MS)} and max ${ms(READY_MAX_LAG_MS)}`,
      });
    }
    const pending = worker.pendingReadings;
    const bound = worker.maxPendingReadings;
    if (pending >= READY_MAX_QUEUE_SHARE * bound) {
      reasons.push({
        code: 'write-queue-full',
        message: `${pending} readings wait for the store, ${Math.round((100 * pending) / bound)} % of the write queue's bound ${bound}`,
      });
    }
    return reasons;
  };
}
