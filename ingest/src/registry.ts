import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CodedError } from '@airbox/contracts';
import { isValidDeviceId } from '@airbox/protocol';

/**
 * The device registry: who may connect, and as what.
 *
 * Secrets are 128-bit random tokens that we generate, never human passwords, so a salted
 * SHA-256 is enough to make a stolen registry useless: there is no dictionary to try.
 * (A slow hash such as scrypt would cost ~50 ms per CONNECT: 15,000 boxes reconnecting
 * after a broker restart would need 12 CPU-minutes.)
 */

export type Role = 'device' | 'service';

/**
 * Where a box stands. Indoor boxes measure a room (infiltration plus cooking, smoking…),
 * not the street: the map hides them by default and the surface leaves them out. Set when
 * the box is registered and changeable later, as PurpleAir and sensor.community register it.
 */
export const PLACEMENTS = ['outdoor', 'indoor'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface AddOptions {
  /** Default 'outdoor' for new devices; when given to issueMany, set on registered ones too. */
  placement?: Placement;
}

export interface DeviceRecord {
  deviceId: string;
  role: Role;
  placement: Placement;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

/**
 * A valid login and what it was checked against: `stamp` fingerprints the secret, so a
 * rotation or a revocation later reads as a different stamp (the broker's credential watch).
 */
export interface Verified {
  role: Role;
  stamp: string;
}

export interface Credentials {
  deviceId: string;
  username: string;
  password: string;
}

export type RegistryErrorCode = 'invalid-device-id' | 'exists' | 'not-found';

export class RegistryError extends CodedError<RegistryErrorCode> {}

interface Row {
  device_id: string;
  role: Role;
  salt: Buffer;
  secret_hash: Buffer;
  created_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
  placement: Placement;
}

const CREATE_DEVICES = `CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  salt BLOB NOT NULL,
  secret_hash BLOB NOT NULL,
  created_at TEXT NOT NULL,
  rotated_at TEXT,
  revoked_at TEXT,
  placement TEXT NOT NULL DEFAULT 'outdoor' CHECK (placement IN ('outdoor', 'indoor'))
) WITHOUT ROWID`;

export class DeviceRegistry {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private selectRow: Database.Statement | undefined;
  /** indoorDeviceIds() as of `version` (SQLite's data_version), until this connection writes. */
  private indoor: { version: number; ids: ReadonlySet<string> } | null = null;
  /** Writes through this connection, which SQLite's data_version does not count. */
  private ownWrites = 0;

  constructor(path: string, now: () => number = Date.now) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    migrate(this.db);
    this.now = now;
  }

  /** Registers a device (or service account) and returns its one-time-visible credentials. */
  add(deviceId: string, role: Role = 'device', options: AddOptions = {}): Credentials {
    if (!isValidDeviceId(deviceId)) {
      throw new RegistryError(
        'invalid-device-id',
        `device id '${deviceId}' is not valid: use 1–64 letters, digits, '_', '-', '.' or ':'`,
      );
    }
    if (this.row(deviceId)) {
      throw new RegistryError(
        'exists',
        `device '${deviceId}' is already registered (use 'rotate' for a new secret)`,
      );
    }
    const { password, salt, hash } = newSecret();
    this.indoor = null;
    this.ownWrites++;
    this.db
      .prepare(
        'INSERT INTO devices (device_id, role, salt, secret_hash, created_at, placement) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(deviceId, role, salt, hash, this.iso(), options.placement ?? 'outdoor');
    return { deviceId, username: deviceId, password };
  }

  /** Registers many devices in one transaction (fleet imports, benchmarks). */
  addMany(deviceIds: string[], role: Role = 'device', options: AddOptions = {}): Credentials[] {
    return this.db.transaction(() => deviceIds.map((id) => this.add(id, role, options)))();
  }

  /**
   * Fresh credentials for each id in one transaction: registered ones are rotated, new ones
   * added (a simulated fleet re-provisioned on each run, fleet imports). A given placement
   * is set on both; without one, registered devices keep theirs.
   */
  issueMany(deviceIds: string[], role: Role = 'device', options: AddOptions = {}): Credentials[] {
    const { placement } = options;
    return this.db.transaction(() =>
      deviceIds.map((id) => {
        if (!this.row(id)) return this.add(id, role, options);
        if (placement !== undefined) this.setPlacement(id, placement);
        return this.rotate(id);
      }),
    )();
  }

  /** Moves a device indoors or outdoors; the API and the surface follow within a request. */
  setPlacement(deviceId: string, placement: Placement): void {
    this.require(deviceId);
    this.indoor = null;
    this.ownWrites++;
    this.db
      .prepare('UPDATE devices SET placement = ? WHERE device_id = ?')
      .run(placement, deviceId);
  }

  /**
   * The ids of devices placed indoors. Cheap enough for every API request: the set is read
   * again only after the file changed. SQLite's data_version changes when another connection
   * (`airbox device set` in another process) commits (https://sqlite.org/pragma.html#pragma_data_version);
   * this connection's own writes clear the cache where they happen.
   */
  indoorDeviceIds(): ReadonlySet<string> {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (this.indoor?.version === version) return this.indoor.ids;
    const rows = this.db
      .prepare("SELECT device_id FROM devices WHERE placement = 'indoor'")
      .pluck()
      .all() as string[];
    this.indoor = { version, ids: new Set(rows) };
    return this.indoor.ids;
  }

  /** A new secret; the old one stops working at once. Un-revokes a revoked device. */
  rotate(deviceId: string): Credentials {
    this.require(deviceId);
    const { password, salt, hash } = newSecret();
    this.ownWrites++;
    this.db
      .prepare(
        'UPDATE devices SET salt = ?, secret_hash = ?, rotated_at = ?, revoked_at = NULL WHERE device_id = ?',
      )
      .run(salt, hash, this.iso(), deviceId);
    return { deviceId, username: deviceId, password };
  }

  revoke(deviceId: string): void {
    this.require(deviceId);
    this.ownWrites++;
    this.db
      .prepare('UPDATE devices SET revoked_at = ? WHERE device_id = ?')
      .run(this.iso(), deviceId);
  }

  list(): DeviceRecord[] {
    const rows = this.db.prepare('SELECT * FROM devices ORDER BY device_id').all() as Row[];
    return rows.map(toRecord);
  }

  /** The role of a valid, unrevoked username/password pair, or null. Constant-time compare. */
  verify(username: string, password: Buffer | string): Role | null {
    return this.verifyStamped(username, password)?.role ?? null;
  }

  /** verify(), with the stamp of the secret it matched (read from the same row). */
  verifyStamped(username: string, password: Buffer | string): Verified | null {
    const row = this.row(username);
    if (!row || row.revoked_at !== null) return null;
    const hash = hashSecret(row.salt, Buffer.from(password));
    return timingSafeEqual(hash, row.secret_hash) ? { role: row.role, stamp: stampOf(row) } : null;
  }

  /** Is this id registered (revoked or not)? Nobody else may speak as it. */
  has(deviceId: string): boolean {
    return this.row(deviceId) !== undefined;
  }

  /** The stamp of the device's current secret; null once it is revoked or removed. */
  stamp(deviceId: string): string | null {
    const row = this.row(deviceId);
    return row === undefined || row.revoked_at !== null ? null : stampOf(row);
  }

  /**
   * A number that changes whenever the registry may have: SQLite's data_version counts
   * commits by other connections (`airbox device revoke` in another process, another
   * broker's registry; https://sqlite.org/pragma.html#pragma_data_version), ownWrites
   * this connection's. Cheap enough to poll every second.
   */
  changeVersion(): number {
    return (this.db.pragma('data_version', { simple: true }) as number) + this.ownWrites;
  }

  close(): void {
    this.db.close();
  }

  private row(deviceId: string): Row | undefined {
    // Prepared once: this runs on every CONNECT.
    this.selectRow ??= this.db.prepare('SELECT * FROM devices WHERE device_id = ?');
    return this.selectRow.get(deviceId) as Row | undefined;
  }

  private require(deviceId: string): Row {
    const row = this.row(deviceId);
    if (!row) {
      throw new RegistryError(
        'not-found',
        `device '${deviceId}' is not registered (add it with 'airbox device add ${deviceId}')`,
      );
    }
    return row;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function newSecret() {
  // base64url may start with '-', which command lines read as an option
  // (`airbox worker --password -x…` is refused as ambiguous): 'k' stands in its place.
  const password = randomBytes(16).toString('base64url').replace(/^-/, 'k');
  const salt = randomBytes(16);
  return { password, salt, hash: hashSecret(salt, Buffer.from(password)) };
}

function hashSecret(salt: Buffer, secret: Buffer): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}

/**
 * The first 8 bytes of the salted hash: a rotation draws a new salt and secret, so the stamp
 * changes; it is no use to anyone without the salt and 2^64 tries.
 */
function stampOf(row: Row): string {
  return row.secret_hash.subarray(0, 8).toString('hex');
}

function toRecord(r: Row): DeviceRecord {
  return {
    deviceId: r.device_id,
    role: r.role,
    createdAt: r.created_at,
    rotatedAt: r.rotated_at,
    revokedAt: r.revoked_at,
    placement: r.placement,
  };
}

/**
 * Brings a devices.db of any earlier version up to this one. Registries made before
 * placements existed get the column with every device outdoors, as the map treated them.
 * IMMEDIATE takes the write lock first, so two processes opening one old file at once do
 * not both add the column.
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec(CREATE_DEVICES);
    const columns = db.pragma('table_info(devices)') as { name: string }[];
    if (!columns.some((c) => c.name === 'placement')) {
      db.exec(
        "ALTER TABLE devices ADD COLUMN placement TEXT NOT NULL DEFAULT 'outdoor' CHECK (placement IN ('outdoor', 'indoor'))",
      );
    }
  }).immediate();
}
