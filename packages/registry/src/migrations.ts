import { RegistryError, type SqlDriver } from './port.ts';

/**
 * The registry's schema, as numbered steps. Each runs once per database, in a transaction
 * that also records it in `schema_migrations`, so a crash halfway leaves the step undone
 * and two processes opening one database at once apply it once (the second finds the row).
 *
 * The SQL is what both SQLite and PostgreSQL accept; where their types differ (bytes, floats,
 * big integers) a step asks `TYPES[dialect]`. Booleans are INTEGER 0/1 in both, so rows read
 * the same through either driver.
 */

type Dialect = SqlDriver['dialect'];

interface ColumnTypes {
  bytes: string;
  float: string;
  bigint: string;
  /** After CREATE TABLE's closing parenthesis. */
  keyedTable: string;
}

const TYPES: Record<Dialect, ColumnTypes> = {
  // Today's devices table is WITHOUT ROWID (a text primary key, read on every CONNECT).
  sqlite: { bytes: 'BLOB', float: 'REAL', bigint: 'INTEGER', keyedTable: ' WITHOUT ROWID' },
  postgres: { bytes: 'BYTEA', float: 'DOUBLE PRECISION', bigint: 'BIGINT', keyedTable: '' },
};

interface Migration {
  version: number;
  /** Why the step exists, for someone reading `schema_migrations`. */
  name: string;
  up(tx: SqlDriver, t: ColumnTypes): Promise<void>;
}

const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'adopt the devices table of earlier versions', up: adoptDevices },
  { version: 2, name: 'accounts, organisations, owned boxes, change log', up: accountsAndOwners },
  { version: 3, name: 'alert subscriptions and their evaluation state', up: alertTables },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to SCHEMA_VERSION. */
export async function migrate(driver: SqlDriver, now: () => number = Date.now): Promise<void> {
  await driver.transaction(async (tx) => {
    await serialiseMigrations(tx);
    await tx.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
  });
  for (const step of MIGRATIONS) {
    await driver.transaction(async (tx) => {
      await serialiseMigrations(tx);
      const claimed = await tx.run(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING',
        [step.version, step.name, new Date(now()).toISOString()],
      );
      // Applied before, by this process or another.
      if (claimed.changes === 0) return;
      await step.up(tx, TYPES[tx.dialect]);
    });
  }
  await refuseNewer(driver);
}

/**
 * SQLite's BEGIN IMMEDIATE already lets one writer in at a time. PostgreSQL runs two
 * processes' DDL side by side, and two CREATE TABLE IF NOT EXISTS can collide: a
 * transaction-scoped advisory lock queues them (released at COMMIT).
 */
async function serialiseMigrations(tx: SqlDriver): Promise<void> {
  if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
}

/** Any fixed number: the key of the advisory lock migrations take. ("AIRB" in ASCII.) */
const MIGRATION_LOCK = 0x41495242;

async function refuseNewer(driver: SqlDriver): Promise<void> {
  const [row] = await driver.all<{ v: number | string | null }>(
    'SELECT MAX(version) AS v FROM schema_migrations',
  );
  const version = Number(row?.v ?? 0);
  if (version > SCHEMA_VERSION) {
    throw new RegistryError(
      'unavailable',
      `the registry's schema is version ${version}, newer than this airbox knows (${SCHEMA_VERSION})`,
      { hint: 'upgrade airbox on this machine, or point it at its own registry' },
    );
  }
}

/**
 * Step 1: the devices table exactly as `DeviceRegistry` (ingest/src/registry.ts, until issue 15) created it,
 * or left alone when a devices.db from then already has it: every salt and secret hash stays,
 * so every box's password keeps working. A file from before placements gets that column with
 * every box outdoors, as the map treated them.
 */
async function adoptDevices(tx: SqlDriver, t: ColumnTypes): Promise<void> {
  await tx.run(`CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  salt ${t.bytes} NOT NULL,
  secret_hash ${t.bytes} NOT NULL,
  created_at TEXT NOT NULL,
  rotated_at TEXT,
  revoked_at TEXT,
  placement TEXT NOT NULL DEFAULT 'outdoor' CHECK (placement IN ('outdoor', 'indoor'))
)${t.keyedTable}`);
  if (!(await columnsOf(tx, 'devices')).has('placement')) {
    await tx.run(
      "ALTER TABLE devices ADD COLUMN placement TEXT NOT NULL DEFAULT 'outdoor' CHECK (placement IN ('outdoor', 'indoor'))",
    );
  }
}

async function columnsOf(tx: SqlDriver, table: string): Promise<Set<string>> {
  const rows =
    tx.dialect === 'sqlite'
      ? await tx.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table])
      : await tx.all<{ name: string }>(
          'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?',
          [table],
        );
  return new Set(rows.map((r) => r.name));
}

/** Step 2: who owns a box and who may see it, accounts and what they sign in with. */
async function accountsAndOwners(tx: SqlDriver, t: ColumnTypes): Promise<void> {
  for (const column of [
    "owner_kind TEXT CHECK (owner_kind IN ('account', 'org'))",
    'owner_id TEXT',
    'name TEXT',
    `lat ${t.float}`,
    `lon ${t.float}`,
    "visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private'))",
    'exact_position INTEGER NOT NULL DEFAULT 0',
    'anonymous_lass INTEGER NOT NULL DEFAULT 0',
  ]) {
    await tx.run(`ALTER TABLE devices ADD COLUMN ${column}`);
  }
  for (const sql of accountTables(t)) await tx.run(sql);
  await tx.run('INSERT INTO registry_seq (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
}

function accountTables(t: ColumnTypes): string[] {
  return [
    'CREATE INDEX devices_owner ON devices (owner_kind, owner_id)',
    // One row: the number of the newest device write. Taking it (UPDATE … RETURNING) locks
    // the row until COMMIT, so writers get numbers in the order they commit, and a reader
    // that has seen N has seen everything up to N (see devices.ts, changesSince).
    `CREATE TABLE registry_seq (id INTEGER PRIMARY KEY, seq ${t.bigint} NOT NULL)`,
    // One row per box ever written, its newest change: bounded by the number of boxes.
    `CREATE TABLE device_changes (device_id TEXT PRIMARY KEY, seq ${t.bigint} NOT NULL)${t.keyedTable}`,
    'CREATE INDEX device_changes_seq ON device_changes (seq)',
    `CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  operator INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
)`,
    `CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('school', 'government', 'company', 'community')),
  created_at TEXT NOT NULL
)`,
    `CREATE TABLE org_members (
  org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  PRIMARY KEY (org_id, account_id)
)`,
    'CREATE INDEX org_members_account ON org_members (account_id)',
    `CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
)`,
    'CREATE INDEX sessions_account ON sessions (account_id)',
    `CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
)`,
    `CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  per_minute INTEGER NOT NULL,
  bytes_per_day ${t.bigint} NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
)`,
    'CREATE INDEX api_keys_account ON api_keys (account_id)',
  ];
}

/**
 * Step 3: alert subscriptions (issue 16) and the evaluator's state per subscription. The owner
 * is one of two foreign keys, so deleting an account or an organisation deletes its
 * subscriptions, and with them their state.
 */
async function alertTables(tx: SqlDriver): Promise<void> {
  for (const sql of [
    `CREATE TABLE alert_subscriptions (
  id TEXT PRIMARY KEY,
  account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
  org_id TEXT REFERENCES orgs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  CHECK ((account_id IS NULL) <> (org_id IS NULL))
)`,
    'CREATE INDEX alert_subscriptions_account ON alert_subscriptions (account_id)',
    'CREATE INDEX alert_subscriptions_org ON alert_subscriptions (org_id)',
    `CREATE TABLE alert_state (
  subscription_id TEXT NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  state TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (subscription_id, key)
)`,
  ]) {
    await tx.run(sql);
  }
}
