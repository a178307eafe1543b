import { readFileSync } from 'node:fs';

/** CPU time and memory of a process, from Linux /proc (clock ticks are 100 Hz on Linux). */
export interface ProcSample {
  cpuS: number;
  rssBytes: number;
  peakRssBytes: number;
}

const TICKS_PER_S = 100;

export function sampleProcess(pid: number): ProcSample {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime; the name (field 2) may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuS, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

/** Percentile of a list of numbers (nearest rank); NaN for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
