import { join, resolve } from 'node:path';
import { dayRange } from '@airbox/web';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { OPEN_DATA_OPTIONS, openDataTerms } from '../open-data-options.ts';
import { dataDirRegistry } from '../registry-options.ts';
import { STORE_OPTIONS, STORE_USAGE, storeValues } from '../store-options.ts';
import { archiveOwnConnections } from '../tasks/archive-task.ts';

const usage = `usage: airbox archive --day YYYY-MM-DD [--out DIR] [--data-dir DIR] [--registry FILE|URL]
                     [--data-license ID] [--data-publisher NAME] [--public-url URL] [store flags]

Writes the open-data archive of one UTC day: one Parquet file for the whole network (zstd,
sorted by box then time) and one csv.gz per box (device=ID/year=YYYY/month=MM/ID-YYYYMMDD.csv.gz,
the API's CSV columns), with a manifest.json listing every file's rows and SHA-256, the
licence and the calibration models used. Public boxes only, positions as on the map.
'airbox serve' archives each day after it ends by itself and serves the folder at /archive/.

Idempotent: run again on unchanged data, it writes nothing; after a recalibration it writes
a new version beside the old, and the manifest names the current one. Safe while serve
runs; a run cut short is started over by the next. Prints one JSON summary on stdout.

  --day YYYY-MM-DD   the UTC day
  --out DIR          the archive folder (default DATA_DIR/archive, where serve serves it from)
  --registry FILE|URL  the registry serve uses (default DATA_DIR/devices.db): which boxes are private
  --public-url URL   where the archive is served, for the attribution line (default http://localhost:8080)

${STORE_USAGE}`;

const ARCHIVE_OPTIONS = {
  day: { type: 'string' },
  out: { type: 'string' },
  'data-dir': { type: 'string' },
  registry: { type: 'string' },
  'public-url': { type: 'string' },
  ...OPEN_DATA_OPTIONS,
  ...STORE_OPTIONS,
} as const;

export const archiveCommand: Command = {
  name: 'archive',
  summary: "write a day's open-data archive: Parquet for the network, csv.gz per box, a manifest",
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, ARCHIVE_OPTIONS);
    const day = v.day;
    if (day === undefined || dayRange(day) === null) {
      throw new UsageError(`--day must be a UTC date YYYY-MM-DD, got '${day ?? ''}'`);
    }
    const dataDir = resolve(v['data-dir'] ?? 'data');
    const terms = openDataTerms(v);
    const result = await archiveOwnConnections(
      {
        day,
        dataDir,
        root: resolve(v.out ?? join(dataDir, 'archive')),
        registry: v.registry ?? dataDirRegistry(dataDir),
        store: storeValues(v),
        license: terms.license.id,
        publisher: terms.publisher,
        baseUrl: (v['public-url'] ?? 'http://localhost:8080').replace(/\/$/, ''),
      },
      {
        progress: (p) =>
          io.stderr.write(`archive ${p.day}: ${p.devices}/${p.of} boxes, ${p.rows} rows\n`),
      },
    );
    io.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  },
};
