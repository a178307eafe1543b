/** What `airbox bench reconnect` prints without --json: one table row per storm. */
import type { ReconnectBenchResult } from '../reconnect-bench.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');

type Run = ReconnectBenchResult['runs'][number];
type Phase = Run['fresh'];

const COLUMNS = [
  ['registry', 9],
  ['phase', 8],
  ['ready', 7],
  ['last CONNACK', 13],
  ['accepted', 9],
  ['refused', 8],
  ['failed', 7],
  ['p50', 8],
  ['p99', 8],
  ['TCP p99', 8],
  ['CPU', 7],
  ['RSS', 8],
  ['peak RSS', 9],
  ['target', 7],
] as const;

const row = (cells: string[]) =>
  '  ' +
  cells
    .map((c, i) => c.padEnd(COLUMNS[i]?.[1] ?? 0))
    .join(' ')
    .trimEnd();

export function describeReconnect(r: ReconnectBenchResult): string {
  const t = r.targets;
  return [
    `bench reconnect: ${fmt(r.boxes)} boxes connecting at once (MQTT 3.1.1 CONNECT with their credentials, bare sockets from 127.x.y.z) to airbox serve`,
    `  target (at ${fmt(t.boxes)} boxes): every box CONNACKed within ${t.lastConnackMs / 1000} s, none refused; open-files limit ${fmt(r.fileLimit)}`,
    row(COLUMNS.map(([name]) => name)),
    ...r.runs.flatMap((run) => [
      row(cells(run.registry, 'fresh', run.fresh)),
      row(cells(run.registry, 'restart', run.restart)),
    ]),
    ...r.runs.flatMap(notes),
    '  ready: from starting the broker to its listening (registry view loaded); last CONNACK: from the first connect() of the storm;',
    '  p50/p99: each box from its connect() to its CONNACK; TCP p99 past ~1 s means the listen backlog overflowed and SYNs were retried;',
    '  CPU: broker CPU seconds over the storm; RSS: the broker once every box was in (peak: its high-water mark)',
  ].join('\n');
}

function cells(registry: string, phase: string, p: Phase): string[] {
  return [
    registry,
    phase,
    s(p.startS * 1000),
    s(p.lastConnackMs),
    fmt(p.accepted),
    fmt(p.refused),
    fmt(p.failed),
    s(p.p50ConnackMs),
    s(p.p99ConnackMs),
    s(p.p99TcpConnectMs),
    `${p.brokerCpuS} s`,
    mb(p.brokerRssBytes),
    mb(p.brokerPeakRssBytes),
    p.withinTarget ? 'met' : 'NOT met',
  ];
}

/** Registration time, the stop, and why boxes were refused or failed, when they were. */
function notes(run: Run): string[] {
  const why = (label: string, p: Phase) => {
    const parts = [
      ...Object.entries(p.refusedByCode).map(([code, n]) => `refused with code ${code}: ${fmt(n)}`),
      ...Object.entries(p.failedByReason).map(([reason, n]) => `${reason}: ${fmt(n)}`),
    ];
    const tcp = p.hostListenCounters;
    if (tcp !== null && tcp.listenOverflows + tcp.syncookiesSent > 0)
      parts.push(
        `host listen-queue overflows ${fmt(tcp.listenOverflows)}, SYN cookies ${fmt(tcp.syncookiesSent)}`,
      );
    const closed = p.brokerClosed;
    if (closed === null) parts.push('the broker’s /metrics did not answer');
    else if (closed.connectionCaps + closed.connectTimeout + closed.pendingCap > 0)
      parts.push(
        `the broker closed ${fmt(closed.connectionCaps)} at its connection caps, ${fmt(closed.connectTimeout)} at its CONNECT timeout, ${fmt(closed.pendingCap)} at its pending cap`,
      );
    parts.push(`the boxes' side (this process) ${p.boxesCpuS} s CPU`);
    parts.push(`load average ${p.loadAverageAtStart} at the start`);
    return [`    ${label}: ${parts.join(', ')}`];
  };
  return [
    `  ${run.registry}: ${fmt(run.fresh.boxes)} boxes registered in ${run.registerS} s, read back in one snapshot in ${fmt(run.snapshotMs)} ms; the broker holding them all stopped in ${run.restart.stopS} s`,
    ...why('fresh', run.fresh),
    ...why('restart', run.restart),
  ];
}
