/**
 * What `airbox bench …` prints for each bench without --json: the measurements in words,
 * each target with whether it was met.
 */
import type { AttackBenchResult } from './attack-bench.ts';
import type { AttackReport } from './attack/measure.ts';
import type { DecodeBenchResult } from './decode-bench.ts';
import type { LagBenchResult } from './lag-bench.ts';
import type { RefitBenchResult } from './refit-bench.ts';
import type { runIngestBench } from './ingest-bench.ts';
import type { runScaleoutBench } from './scaleout-bench.ts';
import type { runSimBench } from './sim-bench.ts';
import type { SoakResult } from './soak.ts';
import type { SurfaceBenchResult } from './surface-bench.ts';
import type { HealthBenchResult } from './health-bench.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const mmss = (s: number) =>
  `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

export function describeDecode(r: DecodeBenchResult): string {
  return [
    `bench decode: ${fmt(r.payloads)} LASS payloads in ${r.seconds} s on one core`,
    `  ${fmt(r.perSecond)} payloads/s decoded and validated (${fmt(r.decodedOk)} decoded to readings)`,
    `  corpus: ${r.corpus.realPayloads} real LASS lines + ${r.corpus.generatedV3} AirBox-style ver_format=3`,
    `  target ≥ ${fmt(r.targetPerSecond)}/s: ${r.targetMet ? 'met' : 'NOT met'}  (${r.cpu}, Node ${r.node})`,
  ].join('\n');
}

export function describeScaleout(r: Awaited<ReturnType<typeof runScaleoutBench>>): string {
  const b = r.broker;
  const w = r.worker;
  return [
    `bench scaleout: ${r.clients} clients, one reading a message`,
    `  broker (stream handoff): ${fmt(b.perS)} readings/s acknowledged after the Redis append, p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms`,
    `    broker ${b.serverCpuCores} cores, peak RSS ${mb(b.serverPeakRssBytes)}; Redis ${b.redisCpuCores} cores, RSS ${mb(b.redisRssBytes)}`,
    `    a second broker of the cluster with no clients: ${b.otherBrokerCpuCores} cores (mqemitter-redis brings a broker only the topics its clients subscribe to)`,
    `  one stream worker → SQLite: ${fmt(w.stored)} of ${fmt(w.queued)} stored in ${w.drainS} s = ${fmt(w.perS)} readings/s, ${w.cpuCores} cores, peak RSS ${mb(w.peakRssBytes)}`,
    r.influxWorker
      ? `  one stream worker → InfluxDB 1.x: ${fmt(r.influxWorker.stored)} of ${fmt(r.influxWorker.queued)} stored in ${r.influxWorker.drainS} s = ${fmt(r.influxWorker.perS)} readings/s, worker ${r.influxWorker.cpuCores} cores, influxd ${r.influxWorker.storeCpuCores} cores`
      : '  (no InfluxDB worker: influxd not installed)',
  ].join('\n');
}

export function describeSurface(r: SurfaceBenchResult): string {
  const t = r.targets;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const km = (m: number) => `${Math.round(m / 100) / 10} km`;
  const f = r.kriging.fitted;
  const field = r.field;
  return [
    `bench surface: ${fmt(r.points)} synthetic Taiwan-like boxes on a ${r.grid} grid, median of ${r.runs} runs, one thread (leave-one-out included)`,
    `  IDW (power 2, 12 nearest): ${r.idw.wallMs} ms wall, ${r.idw.cpuMs} ms CPU`,
    `    target < ${t.idwMs} ms (for 15,000 boxes on 512²): ${verdict(t.idwMet)} (on CPU time: ${verdict(t.idwCpuMet)})`,
    `    leave-one-out RMSE ${r.idw.looRmse}, MAE ${r.idw.looMae} µg/m³ over ${fmt(r.idw.looN)} boxes; ${fmt(r.idw.cellsPainted)} of ${fmt(r.cells)} cells painted`,
    `  ordinary kriging (16 nearest, ${fmt(r.kriging.tiles)} shared-neighbour tiles): ${r.kriging.wallMs} ms wall, ${r.kriging.cpuMs} ms CPU`,
    `    target < ${t.krigingMs} ms (for 15,000 boxes on 512²): ${verdict(t.krigingMet)} (on CPU time: ${verdict(t.krigingCpuMet)})`,
    `    leave-one-out RMSE ${r.kriging.looRmse}, MAE ${r.kriging.looMae} µg/m³ over ${fmt(r.kriging.looN)} boxes; ${fmt(r.kriging.cellsPainted)} cells painted`,
    `    fitted ${f.model}: nugget ${f.nugget.toFixed(1)}, partial sill ${f.psill.toFixed(1)} (µg/m³)², range ${km(f.rangeM)}`,
    `    true field: ${field.covariance}, nugget ${field.noiseUgM3 ** 2}, partial sill ${field.sigmaUgM3 ** 2} (µg/m³)², range ${km(field.rangeM)}`,
    `  (${r.cpu}, Node ${r.node}; wall time counts other load on the machine, CPU time does not)`,
  ].join('\n');
}

type SimResult = Awaited<ReturnType<typeof runSimBench>>;

export function describeSim(r: SimResult): string {
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const rt = r.realtime;
  return [
    `bench sim: ${fmt(rt.boxes)} virtual boxes, each on its own MQTT connection to airbox serve (${r.receiver === 'embedded' ? 'storing readings itself' : 'handing them to a Redis stream; acknowledged once appended'})`,
    `  real time (60 s interval): connected in ${rt.connectS} s; over ${rt.windowS} s ${rt.readingsAckedPerS} readings/s acknowledged (${rt.expectedPerS} expected)`,
    `    simulator CPU ${rt.cpuCores} cores (target < 1: ${verdict(r.targets.realtimeCpuMet)}), RSS ${mb(rt.rssBytes)}, peak ${mb(rt.peakRssBytes)} (target < 1 GB: ${verdict(r.targets.realtimeRssMet)})`,
    `  fast (${r.fast.speed}×: ${fmt(r.fast.generatedPerS)} readings/s made, a batch per box every ${r.fast.batchEveryS} s): ${fmt(r.fast.readingsAckedPerS)} readings/s acknowledged (target ≥ 15,000: ${verdict(r.targets.fastRateMet)}), simulator CPU ${r.fast.cpuCores} cores, server CPU ${r.fast.serverCpuCores} cores, backlog at end ${fmt(r.fast.backlogAtEnd)}`,
    `  alone (in-memory links, as fast as it goes): ${fmt(r.alone.readings)} readings, ${fmt(r.alone.readingsPerS)}/s, ${r.alone.cpuMicrosPerReading} µs CPU a reading = ${fmt(r.alone.readingsPerCpuS)} readings per CPU second (≥ 15,000: ${verdict(r.targets.aloneRateMet)})`,
    `  (Node ${r.node}; the server runs in its own process on the same 2 cores)`,
  ].join('\n');
}

type IngestResult = Awaited<ReturnType<typeof runIngestBench>>;

export function describeIngest(r: IngestResult): string {
  const t = r.targets;
  const e = r.endToEnd;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const lines = [
    `bench ingest: ${r.clients} MQTT clients, ${r.durationS} s per run, load generator on the same machine`,
    `  end to end (publish → stored, SQLite): ${fmt(e.perS)} readings/s, p50 ${e.p50Ms} ms, p99 ${e.p99Ms} ms`,
    `    server CPU ${e.serverCpuCores} cores, peak RSS ${mb(e.serverPeakRssBytes)}; acked ${fmt(e.acked)}, stored ${fmt(e.stored)}, lost ${e.lost}`,
    `    target ≥ ${fmt(t.endToEndPerS)}/s with zero loss: ${verdict(e.perS >= t.endToEndPerS && e.lost === 0)}`,
    `  at a steady ${fmt(r.fixedRate.ratePerS)}/s: p50 ${r.fixedRate.p50Ms} ms, p99 ${r.fixedRate.p99Ms} ms (${fmt(r.fixedRate.acked)} of ${fmt(r.fixedRate.sent)} acked)`,
    `    target p99 < ${t.p99AtFixedRateMs} ms: ${verdict(r.fixedRate.p99Ms < t.p99AtFixedRateMs)}`,
    `  ${fmt(r.connections.accepted)} of ${fmt(r.connections.requested)} connections held (V8 heap capped at ${r.connections.heapCapMb} MB): server RSS ${mb(r.connections.serverRssBytes)} (uncapped ${mb(r.connections.uncappedServerRssBytes)}; idle ${mb(r.connections.idleServerRssBytes)}, ${fmt(Math.round(r.connections.perConnectionBytes / 1024))} KB a connection)`,
    `    target < ${mb(t.connectionsRssBytes)} at ${fmt(t.connections)}: ${verdict(r.connections.accepted >= t.connections && r.connections.serverRssBytes < t.connectionsRssBytes)}`,
    `  broker alone (no worker) relaying to a subscriber: ${fmt(r.brokerAlone.perS)} acked/s, ${fmt(r.brokerAlone.relayedPerS)} relayed/s, server CPU ${r.brokerAlone.serverCpuCores} cores`,
  ];
  if (r.mosquitto) {
    lines.push(
      `  Debian Mosquitto relaying the same load: ${fmt(r.mosquitto.perS)} acked/s, ${fmt(r.mosquitto.relayedPerS)} relayed/s, CPU ${r.mosquitto.serverCpuCores} cores`,
    );
  } else {
    lines.push('  Debian Mosquitto: not installed, not measured');
  }
  lines.push(
    `  ratios: end to end / broker alone ${r.ratios.endToEndVsBrokerAlone}` +
      (r.mosquitto
        ? `; end to end / Mosquitto ${r.ratios.endToEndVsMosquitto}; broker alone / Mosquitto ${r.ratios.brokerAloneVsMosquitto}`
        : ''),
  );
  return lines.join('\n');
}

export function describeSoak(r: SoakResult): string {
  const verdict = r.pass ? 'PASS' : 'FAIL';
  const dead = Object.entries(r.deadLetters);
  const f = r.fleet;
  return [
    `bench soak: ${fmt(r.devices)} boxes for ${r.durationS / 60} min at ${r.speed}× real time, faults injected — ${verdict}`,
    `  layout: Redis, InfluxDB 1.x, two brokers (stream handoff, one device registry), two stream workers;`,
    `    ${r.layoutNote}`,
    `  sent:     ${fmt(r.sent)} readings acknowledged: ${r.sentMeans}`,
    `  stored:   ${fmt(r.stored)} distinct readings (device × the box's time) in InfluxDB, ${fmt(r.storedRows)} rows, from ${fmt(r.devicesWithReadings)} boxes`,
    `            + ${fmt(r.untimedDeadLettered)} kept as dead letters (backfilled by a box whose clock is impossible: no time to store them under)`,
    `  duplicates written ${fmt(r.duplicates)}, missing ${fmt(r.missing)}, stored but never acknowledged ${fmt(r.extra)}`,
    `  fleet: ${fmt(f.made)} readings made = sent + ${fmt(f.dropped)} dropped at the backlog bound + ${fmt(f.unsent)} left unsent; ${fmt(f.outages)} simulated Wi-Fi outages`,
    `  dead letters: ${dead.length === 0 ? 'none' : dead.map(([code, n]) => `${code} ${fmt(n)}`).join(', ')}`,
    '  faults:',
    ...r.faults.map(
      (x) =>
        `    ${mmss(x.atS)} ${x.what}: ${x.backAtS === null ? `did NOT come back (${x.error})` : `back at ${mmss(x.backAtS)}, ${(x.backAtS - x.atS).toFixed(1)} s later`}`,
    ),
    `  fleet ran ${Math.round(r.runS)} s; afterwards the stream and the spill ${r.drain.drained ? `emptied in ${r.drain.seconds} s` : `did NOT empty in ${r.drain.seconds} s`}`,
    '  CPU (mean cores over the process lifetime) and peak RSS:',
    ...r.processes.map(
      (p) =>
        `    ${p.name.padEnd(9)} ${p.cpuCores.toFixed(2)} cores (${p.cpuS} s)  peak ${mb(p.peakRssBytes)}${p.starts > 1 ? `  (${p.starts} starts)` : ''}`,
    ),
    ...r.problems.map((p) => `  problem: ${p}`),
    `  sent = stored (+ dead-lettered), each once: ${verdict}  (load average at start ${r.loadAtStart.join(' ')}; Node ${r.node}; 2 cores shared by everything above)`,
  ].join('\n');
}

export function describeAttack(r: AttackBenchResult): string {
  const met = r.attacks.filter((a) => a.withinTarget).length;
  return [
    `bench attack: ${r.attacks.length} attacks on airbox serve (127.0.0.1, its default caps), one at a time, each on a fresh serve unless marked`,
    `  target: ${r.target.text}`,
    ...r.attacks.flatMap(describeOneAttack),
    `  target met for ${met} of ${r.attacks.length} attacks: ${r.targetMet ? 'met' : 'NOT met'}  (Node ${r.node}; 2 cores shared by the server and the attacker)`,
  ].join('\n');
}

function describeOneAttack(a: AttackReport): string[] {
  const h = a.health;
  const growth = `${a.growthBytes >= 0 ? '+' : ''}${mb(a.growthBytes)}`;
  const c = a.counters;
  return [
    `  ${a.name}: ${a.title}${a.serve === 'fresh' ? '' : ` [serve ${a.serve}]`}`,
    `    ${a.said}`,
    `    RSS idle ${mb(a.idleRssBytes)}${a.serve === 'fresh' ? '' : `, at start ${mb(a.startRssBytes)}`}, peak ${mb(a.peakRssBytes)} (${growth}), after ${mb(a.afterRssBytes)}; server CPU ${a.cpuS} s over ${a.seconds.toFixed(1)} s`,
    `    /healthz ${h.failures === 0 ? 'answered' : `FAILED ${h.failures} of`} ${h.polls} polls, p99 ${fmt(h.p99LatencyMs)} ms, slowest ${fmt(h.maxLatencyMs)} ms; well-behaved box: ${a.goodBox.detail}`,
    c === null
      ? '    counters: /metrics did not answer'
      : `    counters: connections refused +${fmt(c.connectionsRefused)}, closed before CONNECT +${fmt(c.connectTimeouts)} (timeout) +${fmt(c.pendingCapClosed)} (pending cap), publishes refused +${fmt(c.publishesRefused)}, readings stored +${fmt(c.readingsStored)}, anonymous ids tracked +${fmt(c.anonymousDevicesTracked)}`,
    `    ${a.serverAlive ? '' : 'THE SERVER DIED; '}within 100 MB of idle: ${a.withinTarget ? 'met' : 'NOT met'}`,
  ];
}

export function describeLag(r: LagBenchResult): string {
  const t = r.targets;
  const s = r.saturated;
  return [
    `bench lag: airbox serve on ${r.history.rows.toLocaleString('en-US')} readings (${r.sizes.boxes} boxes × ${r.sizes.days} days, ${r.history.stations} stations; filled in ${r.history.fillS} s), ${r.sizes.ratePerS} readings/s from ${r.sizes.connections} boxes while each job runs`,
    `  targets: event-loop delay p99 < ${t.lagP99Ms} ms, PUBLISH → PUBACK p99 < ${t.publishP99Ms} ms; saturated, /healthz p99 < ${t.saturatedHealthzP99Ms} ms`,
    ...r.phases.flatMap((p) => [
      `  ${p.job}: ${p.scale}`,
      `    ${p.outcome.said}`,
      `    loop delay p99 ${fmt(p.serve.lagP99Ms)} ms (max ${fmt(p.serve.lagMaxMs)} ms); PUBACK p50 ${fmt(p.load.p50Ms)} ms, p99 ${fmt(p.load.p99Ms)} ms (${fmt(p.load.acked)} acked, ${fmt(p.load.ackedPerS)}/s); /healthz p99 ${fmt(p.health.p99LatencyMs)} ms; peak RSS ${mb(p.serve.peakRssBytes)}: ${p.withinTarget ? 'met' : 'NOT met'}`,
    ]),
    `  saturated: ${s.scale}`,
    `    ${fmt(s.load.acked)} acked (${fmt(s.load.ackedPerS)}/s), PUBACK p99 ${fmt(s.load.p99Ms)} ms; /healthz p99 ${fmt(s.health.p99LatencyMs)} ms, max ${fmt(s.health.maxLatencyMs)} ms, ${s.health.failures} failed; loop delay p99 ${fmt(s.serve.lagP99Ms)} ms; ingest paused ${s.pauses} times, ${s.pausedS} s: ${s.withinTarget ? 'met' : 'NOT met'}`,
    `  targets ${r.targetsMet ? 'met' : 'NOT met'}  (Node ${r.node}; 2 cores shared by serve and the boxes)`,
  ].join('\n');
}

export function describeRefit(r: RefitBenchResult): string {
  const { sizes: s, refit: f } = r;
  return [
    `bench refit: airbox calibrate fit over the last ${s.windowDays} days of ${s.boxes} boxes × ${s.days} days (${r.history.rows.toLocaleString('en-US')} readings, one every ${s.intervalMin} min; ${r.history.stations} stations; filled in ${r.history.fillS} s)`,
    f.exit === 0
      ? `  ${fmt(f.pairs)} pairs from ${fmt(f.boxes)} co-located boxes: ${fmt(f.models)} models, ${fmt(f.skipped)} scopes skipped`
      : `  FAILED (exit ${f.exit}): ${f.said}`,
    `  duration ${f.seconds} s (CPU ${f.cpuSeconds} s); peak RSS ${fmt(f.peakRssMb)} MB (sampled from /proc: ${fmt(f.sampledPeakRssMb)} MB)  (Node ${r.node})`,
  ].join('\n');
}

export function describeHealth(r: HealthBenchResult): string {
  const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  –  ');
  const rows = Object.entries(r.score.codes).map(
    ([code, s]) =>
      `  ${code.padEnd(12)} ${pct(s.precision)}     ${pct(s.recall)}  ${pct(s.recallJudged)}     ${String(s.tp).padStart(6)} ${String(s.fp).padStart(5)} ${String(s.fn).padStart(5)} ${String(s.fnUnjudged).padStart(9)} ${String(s.excused).padStart(7)}`,
  );
  const other = Object.entries(r.score.otherOnClean)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const t = r.timing;
  return [
    `bench health: ${r.seeds} seeds × ${r.boxes} simulated boxes × ${r.days} days, faults on; ${fmt(r.score.evaluations.fast)} fast and ${fmt(r.score.evaluations.slow)} slow evaluations`,
    `  code         precision recall judged-recall     tp    fp    fn unjudged excused`,
    ...rows,
    `  box-evaluations without a simulated fault: ${fmt(r.score.cleanEvaluations)}, ${(100 * r.score.cleanOkShare).toFixed(2)} % left ok; problems raised on them: ${other || 'none'}`,
    `  ${fmt(t.boxes)} boxes: fast run (48 h) ${fmt(t.fast.evalCpuMs)} ms CPU to judge (${t.fast.perBoxUs} µs a box) + ${fmt(t.fast.loadCpuMs)} ms to read the window`,
    `    slow run (14 days) ${fmt(t.slow.evalCpuMs)} ms CPU to judge (${t.slow.perBoxUs} µs a box) + ${fmt(t.slow.loadCpuMs)} ms to read (reads timed on ${fmt(t.storeBoxes)} boxes in SQLite, scaled)`,
    `    every 5 min with the slow run hourly: ${(100 * t.cpuShare).toFixed(2)} % of one core; target < ${100 * r.targets.cpuShare} %: ${r.targets.cpuShareMet ? 'met' : 'NOT met'}`,
    `  (${r.cpu}, Node ${r.node})`,
  ].join('\n');
}
