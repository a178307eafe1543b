import { DuckDBInstance } from '@duckdb/node-api';
import { MEASURES } from '@airbox/contracts';
import { READING_COLUMNS } from '../csv.ts';

/**
 * The day's Parquet file, made by DuckDB from the day's rows as one CSV in device then time
 * order (archive-day.ts writes it beside the per-box files, from the same lines), so the file
 * is sorted without a sort and holds exactly what the CSV files hold. One thread keeps the row order; a memory
 * limit and a spill folder bound memory whatever the size of the day; row groups of 122,880
 * rows (DuckDB's default) let readers skip what they do not need; zstd compresses.
 */
const NUMBER_COLUMNS = new Set<string>([
  'lat',
  'lon',
  ...MEASURES.map((m) => m.field),
  'pm25CalibratedUgM3',
]);
const TIME_COLUMNS = new Set<string>(['time', 'receivedAt']);

export const PARQUET_COLUMNS: { name: string; type: string }[] = READING_COLUMNS.map((name) => ({
  name,
  type: TIME_COLUMNS.has(name) ? 'TIMESTAMPTZ' : NUMBER_COLUMNS.has(name) ? 'DOUBLE' : 'VARCHAR',
}));

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function writeParquet(csv: string, out: string, tempDir: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: '512MB',
    temp_directory: tempDir,
  });
  const c = await db.connect();
  try {
    const columns = `{${PARQUET_COLUMNS.map((col) => `${quote(col.name)}: ${quote(col.type)}`).join(', ')}}`;
    // Our own CSV: the columns and types are known, the times ISO 8601 with milliseconds.
    const source = `read_csv(${quote(csv)}, header = true, columns = ${columns}, timestampformat = '%Y-%m-%dT%H:%M:%S.%gZ')`;
    await c.run(
      `COPY (SELECT * FROM ${source}) TO ${quote(out)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const reader = await c.runAndReadAll(`SELECT count(*) FROM read_parquet(${quote(out)})`);
    return Number(reader.getRows()[0]![0]);
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
