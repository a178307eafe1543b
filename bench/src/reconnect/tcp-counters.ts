import { readFileSync } from 'node:fs';

/**
 * The kernel's count of connections a listener could not take (TcpExt ListenOverflows: the
 * accept queue was full, the handshake's last step was dropped and the client retries with
 * a back-off of 1, 2, 4… s) and of SYN cookies sent (the SYN queue was full). They are the
 * whole host's (its network namespace), from /proc/net/netstat; null where there is none.
 */
export interface ListenCounters {
  listenOverflows: number;
  syncookiesSent: number;
}

export function readListenCounters(): ListenCounters | null {
  let text: string;
  try {
    text = readFileSync('/proc/net/netstat', 'utf8');
  } catch {
    return null;
  }
  // Two lines per group: "TcpExt: Name Name …" then "TcpExt: 1 2 …".
  const [names, values] = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  if (names === undefined || values === undefined) return null;
  const keys = names.split(' ');
  const nums = values.split(' ');
  const get = (key: string) => Number(nums[keys.indexOf(key)] ?? NaN);
  return { listenOverflows: get('ListenOverflows'), syncookiesSent: get('SyncookiesSent') };
}

/** What the counters grew by between two readings; null if either was unreadable. */
export function listenCountersSince(
  before: ListenCounters | null,
  after: ListenCounters | null,
): ListenCounters | null {
  if (before === null || after === null) return null;
  return {
    listenOverflows: after.listenOverflows - before.listenOverflows,
    syncookiesSent: after.syncookiesSent - before.syncookiesSent,
  };
}
