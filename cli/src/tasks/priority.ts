import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Nice value of task threads: below the event loop's (0), so the loop wins a contended core. */
export const TASK_NICE = 10;

/** Whether the calling thread now runs at TASK_NICE, and if not, why. */
export type PriorityOutcome = 'lowered' | 'unsupported' | 'refused';

/** This thread's kernel id, from /proc/thread-self (`<pid>/task/<tid>`); null off Linux. */
function kernelThreadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * Lowers the calling thread's CPU priority. On Linux a thread's nice value is its own
 * (NPTL, see setpriority(2), BUGS), and raising it needs no privilege, so os.setPriority on
 * the thread's kernel id (not Worker#threadId, which is Node's own numbering) touches only
 * this thread. Elsewhere Node offers nothing per thread — os.setPriority(0) would lower the
 * whole process, event loop included — so there a task thread competes equally for the CPU;
 * it still runs beside the event loop, never in it.
 */
export function lowerThreadPriority(nice = TASK_NICE): PriorityOutcome {
  const tid = kernelThreadId();
  if (tid === null) return 'unsupported';
  try {
    setPriority(tid, nice);
    return 'lowered';
  } catch {
    return 'refused';
  }
}

/** The calling thread's nice value as the kernel reports it; null off Linux. */
export function threadNice(): number | null {
  const tid = kernelThreadId();
  if (tid === null) return null;
  // /proc/<pid>/task/<tid>/stat: "pid (comm) state …"; nice is field 19, the 17th after ") ".
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const nice = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[16]);
  return Number.isInteger(nice) ? nice : null;
}
