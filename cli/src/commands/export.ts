import { resolve } from 'node:path';
import { isValidDeviceId } from '@airbox/protocol';
import { HOURLY_COLUMNS, hourlyCsvLine, READING_COLUMNS, readingCsvLine } from '@airbox/web';
import type { ReadingStore } from '@airbox/store';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options.ts';

const usage = `usage: airbox export --from ISO --to ISO [--device ID ...] [--agg raw|1h]
                    [--format csv|jsonl] [--data-dir DIR] [store flags]

Stored readings of [--from, --to) straight from the store, for researchers working offline:
every raw row with its flags, the calibrated PM2.5 and the id of the model that produced
it (or hourly means with --agg 1h). Streamed a device-day at a time, so any range fits in
memory; progress on stderr. The same columns as GET /api/v1/series?format=csv.

  --device ID    this device (repeat for more); default: every device the store has seen
  --agg A        raw (default) or 1h
  --format F     csv (default) or jsonl (one JSON object per line)

${STORE_USAGE}`;

const DAY_MS = 86_400_000;

function time(flag: string, value: string | undefined): number {
  const ms = value === undefined ? NaN : Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(`--${flag} must be an ISO 8601 time, got '${value ?? ''}'`);
  return ms;
}

const EXPORT_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  device: { type: 'string', multiple: true },
  agg: { type: 'string' },
  format: { type: 'string' },
  'data-dir': { type: 'string' },
  ...STORE_OPTIONS,
} as const;

/** What to export: the range [fromMs, toMs), raw rows or hourly means, as CSV or JSON lines. */
interface ExportQuery {
  fromMs: number;
  toMs: number;
  agg: 'raw' | '1h';
  format: 'csv' | 'jsonl';
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write stored readings (raw or hourly, raw and calibrated) as CSV or JSON lines',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, EXPORT_OPTIONS);
    const query = exportQuery(v);
    const bad = (v.device ?? []).find((id) => !isValidDeviceId(id));
    if (bad !== undefined)
      throw new UsageError(`--device ${JSON.stringify(bad)} is not a device id`);

    const store = await openStore(v, resolve(v['data-dir'] ?? 'data'));
    try {
      const devices = v.device ?? (await store.latest()).map((r) => r.deviceId).sort();
      // CSV rows end in CRLF (RFC 4180), as the API's; JSON lines in LF.
      const write = async (chunk: string) => {
        if (!io.stdout.write(chunk)) await new Promise((r) => io.stdout.once('drain', r));
      };
      if (query.format === 'csv') {
        await write((query.agg === 'raw' ? READING_COLUMNS : HOURLY_COLUMNS).join(',') + '\r\n');
      }
      let rows = 0;
      for (const [i, deviceId] of devices.entries()) {
        for (let day = query.fromMs; day < query.toMs; day += DAY_MS) {
          const lines = await deviceDayLines(store, deviceId, day, query);
          if (lines.length > 0) await write(lines.join(''));
          rows += lines.length;
        }
        io.stderr.write(`export: ${i + 1}/${devices.length} devices, ${rows} rows\n`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

function exportQuery(v: {
  from?: string;
  to?: string;
  agg?: string;
  format?: string;
}): ExportQuery {
  const fromMs = time('from', v.from);
  const toMs = time('to', v.to);
  if (fromMs >= toMs) throw new UsageError('--from must be before --to');
  const agg = v.agg ?? 'raw';
  if (agg !== 'raw' && agg !== '1h') throw new UsageError(`--agg must be raw or 1h, got '${agg}'`);
  const format = v.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') {
    throw new UsageError(`--format must be csv or jsonl, got '${format}'`);
  }
  return { fromMs, toMs, agg, format };
}

/** One device-day (cut at --to) as lines: a device-day at a time keeps memory bounded. */
async function deviceDayLines(
  store: ReadingStore,
  deviceId: string,
  dayMs: number,
  { toMs, agg, format }: ExportQuery,
): Promise<string[]> {
  const q = { deviceIds: [deviceId], fromMs: dayMs, toMs: Math.min(dayMs + DAY_MS, toMs) };
  return agg === 'raw'
    ? (await store.series(q)).map((r) =>
        format === 'csv' ? readingCsvLine(r) : JSON.stringify(r) + '\n',
      )
    : (await store.hourly(q)).map((r) =>
        format === 'csv' ? hourlyCsvLine(r) : JSON.stringify(r) + '\n',
      );
}
