/**
 * The soak's faults, on a schedule over the run, each printed as it happens:
 * - broker A killed (SIGKILL) and started again on its ports: its boxes lose their
 *   connections and whatever they had in flight, and send it again once it is back (or,
 *   behind HAProxy, through broker B at once);
 * - worker 1 killed and started again: its partition leases lapse (10 s), and whoever takes
 *   a partition claims the entries it had read but not acknowledged;
 * - InfluxDB killed for `influxDownS` and started again: workers spill to disk and replay.
 */
import type { SoakCluster } from './soak-cluster.ts';
import type { SoakProcess } from './soak-process.ts';

export interface FaultPlan {
  /** Seconds after the fleet started. */
  brokerAtS: number;
  workerAtS: number;
  influxAtS: number;
  influxDownS: number;
}

export type FaultName = 'broker-crash' | 'worker-crash' | 'influxdb-outage';

export interface FaultRecord {
  fault: FaultName;
  what: string;
  /** When it was killed, seconds after the fleet started. */
  atS: number;
  /** When it was ready again; null if it did not come back. */
  backAtS: number | null;
  error: string | null;
}

/** Spread over the run: a fifth in, just before half-way, two thirds in (30–60 s outage). */
export function defaultFaultPlan(durationS: number): FaultPlan {
  return {
    brokerAtS: Math.round(durationS * 0.2),
    workerAtS: Math.round(durationS * 0.45),
    influxAtS: Math.round(durationS * 0.65),
    influxDownS: Math.round(Math.min(45, Math.max(5, durationS * 0.075))),
  };
}

export interface FaultContext {
  cluster: SoakCluster;
  /** Seconds since the fleet started. */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  log: (message: string) => void;
}

/** Runs the plan in time order; a fault that fails is recorded, and the rest still run. */
export async function runFaults(plan: FaultPlan, c: FaultContext): Promise<FaultRecord[]> {
  const { brokers, workers, influxd } = c.cluster;
  const steps: { atS: number; run: () => Promise<FaultRecord> }[] = [
    { atS: plan.brokerAtS, run: () => crash(c, 'broker-crash', brokers[0]!, 'broker A') },
    { atS: plan.workerAtS, run: () => crash(c, 'worker-crash', workers[0]!, 'worker 1') },
    { atS: plan.influxAtS, run: () => outage(c, influxd, plan.influxDownS) },
  ];
  steps.sort((a, b) => a.atS - b.atS);
  const records: FaultRecord[] = [];
  for (const step of steps) {
    const waitMs = (step.atS - c.clock()) * 1000;
    if (waitMs > 0) await c.sleep(waitMs);
    records.push(await step.run());
  }
  return records;
}

async function crash(
  c: FaultContext,
  fault: FaultName,
  p: SoakProcess,
  label: string,
): Promise<FaultRecord> {
  const atS = c.clock();
  c.log(`FAULT ${label} (${p.spec.name}) killed with SIGKILL`);
  await p.kill();
  return restart(c, fault, p, `${label} killed (SIGKILL) and restarted`, atS);
}

async function outage(c: FaultContext, p: SoakProcess, downS: number): Promise<FaultRecord> {
  const atS = c.clock();
  c.log(`FAULT InfluxDB killed with SIGKILL; down for ${downS} s`);
  await p.kill();
  await c.sleep(downS * 1000);
  return restart(c, 'influxdb-outage', p, `InfluxDB down for ${downS} s`, atS);
}

async function restart(
  c: FaultContext,
  fault: FaultName,
  p: SoakProcess,
  what: string,
  atS: number,
): Promise<FaultRecord> {
  try {
    await p.start();
    const backAtS = c.clock();
    c.log(`${p.spec.name} back after ${(backAtS - atS).toFixed(1)} s (same ports, same data)`);
    return { fault, what, atS, backAtS, error: null };
  } catch (e) {
    const error = (e as Error).message;
    c.log(`${p.spec.name} did not come back: ${error}`);
    return { fault, what, atS, backAtS: null, error };
  }
}
