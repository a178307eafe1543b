/**
 * The boxes' side of `airbox bench lag`: readings now, at a steady rate spread over the
 * connected boxes (each at its own position, so the map and the surface see them), or as
 * fast as the broker acknowledges (saturating). Every PUBLISH → PUBACK is timed.
 */
import { nativeTopic } from '@airbox/protocol';
import { percentile } from '../proc.ts';
import type { RawPublisher } from '../raw-client.ts';
import type { Box } from './history.ts';

export interface LoadSeen {
  sent: number;
  acked: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  /** Readings acknowledged a second over the span measured. */
  ackedPerS: number;
}

export interface Connected {
  box: Box;
  publisher: RawPublisher;
}

/** Latencies of what was acknowledged since `reset`, and the counts. */
class Tally {
  private latencies: number[] = [];
  private sent = 0;
  private acked = 0;
  private failed = 0;
  private sinceMs = performance.now();

  reset(): void {
    this.latencies = [];
    this.sent = this.acked = this.failed = 0;
    this.sinceMs = performance.now();
  }

  publish(c: Connected, seq: number, done?: () => void): void {
    const time = new Date().toISOString();
    const pm25 = 12 + (seq % 30);
    const body = `{"time":"${time}","lat":${c.box.lat},"lon":${c.box.lon},"pm25UgM3":${pm25},"temperatureC":24.5,"humidityPct":61}`;
    const t0 = performance.now();
    this.sent++;
    c.publisher.publish(nativeTopic(c.box.deviceId, 'reading'), body, (err) => {
      if (err) this.failed++;
      else {
        this.acked++;
        this.latencies.push(performance.now() - t0);
      }
      done?.();
    });
  }

  seen(): LoadSeen {
    const s = (performance.now() - this.sinceMs) / 1000;
    return {
      sent: this.sent,
      acked: this.acked,
      failed: this.failed,
      p50Ms: round(percentile(this.latencies, 50)),
      p99Ms: round(percentile(this.latencies, 99)),
      ackedPerS: Math.round(this.acked / Math.max(s, 1e-9)),
    };
  }
}

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * `ratePerS` readings a second round-robin over the boxes, a tick every 10 ms, until
 * stopped. `mark()` starts a new span; `seen()` tells what the span saw.
 */
export function steadyLoad(boxes: Connected[], ratePerS: number) {
  const tally = new Tally();
  let issued = 0;
  let seq = 0;
  let startMs = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startMs) / 1000) * ratePerS);
    for (; issued < due; issued++) tally.publish(boxes[issued % boxes.length]!, seq++);
  }, 10);
  return {
    mark(): void {
      tally.reset();
    },
    seen: () => tally.seen(),
    stop(): void {
      clearInterval(timer);
    },
    /** Restarts the schedule (after a pause of the steady load). */
    restart(): void {
      startMs = performance.now();
      issued = 0;
    },
  };
}

/** Each box keeps `inFlight` PUBLISHes unacknowledged for `durationMs`. */
export async function saturate(
  boxes: Connected[],
  inFlight: number,
  durationMs: number,
): Promise<LoadSeen> {
  const tally = new Tally();
  const endMs = performance.now() + durationMs;
  let seq = 0;
  await Promise.all(
    boxes.map(
      (c) =>
        new Promise<void>((resolve) => {
          let open = 0;
          const pump = () => {
            while (open < inFlight && performance.now() < endMs) {
              open++;
              tally.publish(c, seq++, () => {
                open--;
                if (performance.now() < endMs) pump();
                else if (open === 0) resolve();
              });
            }
            if (open === 0) resolve();
          };
          pump();
        }),
    ),
  );
  return tally.seen();
}
