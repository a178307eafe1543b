import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadReferenceStations, type ReferenceStation } from '@airbox/geo';
import {
  checkSiteList,
  feedUrls,
  importReferenceFile,
  MOENV_AQX_URL,
  REFERENCE_FILE_FORMATS,
  startReferenceFeed,
  stationDeviceId,
  stationsFromSiteList,
  StreamWorker,
  type ReferenceFeed,
  type ReferenceFileFormat,
} from '@airbox/ingest';
import { parseCommandArgs } from '../args.ts';
import { UsageError, writeLine, type CliIo, type Command } from '../io.ts';
import type { JsonLog } from '../log.ts';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options.ts';

const usage = `usage: airbox reference import FILE [--format auto|lass-epa|moenv|csv] [--data-dir DIR] [store flags]
       airbox reference stations [--site-list FILE]

Government reference stations (Taiwan MOENV, formerly EPA): the truth calibration aims at.

import     stores a file of station readings through the stream worker (QC, de-dup; never
           recalibrated) and prints one JSON summary: readings, stored (new), duplicates
           (already stored: left unchanged), rejected, problems. Each refused record is
           also printed on stderr with its line or index. Exit 0 when every record was
           imported, 1 when some were refused (the others are stored) or the file was
           refused whole (unreadable, no known shape, a missing column, units off by 1000).
  FILE             LASS last-all-epa.json, MOENV/AQX hourly JSON (the 2017 AQX array or an
                   API v2 aqx_p_432 response), or CSV: station,time,pm25_ugm3[,pm10_ugm3]
                   (station = site id, English or Chinese name; time ISO 8601 with offset)
  --format F       auto (default: by extension and content), lass-epa, moenv or csv
  --data-dir DIR   where the store lives (default ./data)
  --site-list FILE an EPA/MOENV site list (AQXSite JSON) adding stations the bundled
                   registry lacks

stations   prints the station registry, one JSON object per line (with its deviceId,
           EPA-<English name>). With --site-list, the list's new stations are added and
           the differences (added, moved > 200 m, renamed, not listed) go to stderr.

${STORE_USAGE}`;

export const referenceCommand: Command = {
  name: 'reference',
  summary: 'import reference-station readings (MOENV, LASS, CSV); list the stations',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v, positionals } = parseCommandArgs(
      argv,
      {
        format: { type: 'string' },
        'data-dir': { type: 'string' },
        'site-list': { type: 'string' },
        ...STORE_OPTIONS,
      },
      2,
    );
    const [sub, file] = positionals;
    if (sub === 'stations') {
      if (file !== undefined) throw new UsageError(`unexpected argument '${file}'`);
      return printStations(io, v['site-list']);
    }
    if (sub !== 'import') {
      throw new UsageError(
        sub === undefined
          ? "missing the subcommand: 'import' or 'stations'"
          : `unknown subcommand '${sub}'; use 'import' or 'stations'`,
      );
    }
    if (file === undefined) throw new UsageError('import needs the FILE to import');
    const format = parseFormat(v.format);
    const stations = loadStations(io, v['site-list']);
    const store = await openStore(v, resolve(v['data-dir'] ?? 'data'));
    try {
      const worker = new StreamWorker({ store, now: io.now });
      const summary = await importReferenceFile(file, worker, stations, { format, now: io.now });
      await worker.drain();
      for (const p of summary.problems) io.stderr.write(`${p.message} [${p.code}]\n`);
      await writeLine(
        io.stdout,
        JSON.stringify({ ...summary, problems: summary.problems.map((p) => p.message) }),
      );
      return summary.rejected === 0 ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};

function parseFormat(value: string | undefined): ReferenceFileFormat {
  if (value === undefined) return 'auto';
  const format = REFERENCE_FILE_FORMATS.find((f) => f === value);
  if (format === undefined) {
    throw new UsageError(
      `--format must be one of ${REFERENCE_FILE_FORMATS.join(', ')}, got '${value}'`,
    );
  }
  return format;
}

/** The bundled registry, extended by a site list when one is given (differences on stderr). */
function loadStations(io: CliIo, siteList: string | undefined): ReferenceStation[] {
  const registry = loadReferenceStations();
  if (siteList === undefined) return registry;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(siteList, 'utf8'));
  } catch (e) {
    throw new Error(`${siteList}: ${(e as Error).message}`);
  }
  const listed = stationsFromSiteList(json, siteList);
  for (const p of listed.problems) io.stderr.write(`${p.message} [${p.code}]\n`);
  const check = checkSiteList(registry, listed.stations);
  const names = (list: { nameZh: string; nameEn: string }[]) =>
    list.map((s) => `${s.nameZh} ${s.nameEn}`.trim());
  io.stderr.write(
    JSON.stringify({
      siteList,
      added: names(check.added),
      moved: check.moved.map((m) => ({ station: m.station.nameEn, distanceM: m.distanceM })),
      renamed: check.renamed.map((r) => ({ station: r.station.nameEn, listedAs: r.listed.nameEn })),
      notListed: names(check.notListed),
    }) + '\n',
  );
  return check.stations;
}

async function printStations(io: CliIo, siteList: string | undefined): Promise<number> {
  for (const s of loadStations(io, siteList)) {
    await writeLine(io.stdout, JSON.stringify({ deviceId: stationDeviceId(s), ...s }));
  }
  return 0;
}

/** Flags `airbox serve` takes for the feed (spread into its options). */
export const REFERENCE_FEED_OPTIONS = {
  'reference-url': { type: 'string' },
} as const;

export const REFERENCE_FEED_USAGE = `  --reference-url URL      poll this MOENV hourly endpoint (JSON) every hour for the reference
                           stations; with AIRBOX_MOENV_API_KEY set and no URL, the MOENV API
                           v2 aqx_p_432 (the key is sent as api_key and never logged)`;

/** What the feed needs of /metrics (the web package's MetricsRegistry). */
interface MetricsSink {
  register(name: string, type: 'counter' | 'gauge', help: string, read: () => number): void;
}

/**
 * The reference feed of `airbox serve`: started when `--reference-url` is given, or when
 * AIRBOX_MOENV_API_KEY is set (then from the MOENV API v2). Returns null when neither is.
 * Registers its counters on /metrics when given the registry.
 */
export function startReferenceFeedFromOptions(
  v: { 'reference-url'?: string },
  deps: {
    worker: StreamWorker;
    log: JsonLog;
    now: () => number;
    metrics?: MetricsSink;
    env?: NodeJS.ProcessEnv;
    stations?: ReferenceStation[];
    fetch?: typeof fetch;
    intervalMs?: number;
  },
): ReferenceFeed | null {
  const apiKey = (deps.env ?? process.env)['AIRBOX_MOENV_API_KEY'] || undefined;
  const url = v['reference-url'] ?? (apiKey === undefined ? undefined : MOENV_AQX_URL);
  if (url === undefined) return null;
  let shown: string;
  try {
    shown = feedUrls(url, apiKey).shown;
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('not http(s)');
  } catch {
    throw new UsageError(`--reference-url must be an http(s) URL, got '${url}'`);
  }
  const feed = startReferenceFeed({
    url,
    apiKey,
    worker: deps.worker,
    stations: deps.stations ?? loadReferenceStations(),
    now: deps.now,
    log: deps.log,
    fetch: deps.fetch,
    intervalMs: deps.intervalMs,
  });
  deps.log('reference-feed-started', { url: shown });
  if (deps.metrics) registerFeedMetrics(deps.metrics, feed);
  return feed;
}

function registerFeedMetrics(m: MetricsSink, feed: ReferenceFeed): void {
  const c = feed.counters;
  m.register(
    'airbox_reference_polls_total',
    'counter',
    'Polls of the reference feed',
    () => c.pollsTotal,
  );
  m.register(
    'airbox_reference_poll_failures_total',
    'counter',
    'Reference feed polls that failed (network, HTTP, JSON, store); retried with backoff',
    () => c.pollFailuresTotal,
  );
  m.register(
    'airbox_reference_readings_stored_total',
    'counter',
    'Reference readings the feed handed to the worker as new',
    () => c.readingsStoredTotal,
  );
  m.register(
    'airbox_reference_readings_duplicate_total',
    'counter',
    'Reference readings the feed had delivered before',
    () => c.readingsDuplicateTotal,
  );
  m.register(
    'airbox_reference_records_rejected_total',
    'counter',
    'Reference records refused (unknown station, bad time)',
    () => c.recordsRejectedTotal,
  );
  m.register(
    'airbox_reference_last_success_seconds',
    'gauge',
    'Unix time of the last successful reference poll (0 = none yet)',
    () => c.lastSuccessMs / 1000,
  );
}
