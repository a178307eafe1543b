import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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

export interface DeviceRecord {
  deviceId: string;
  role: Role;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

export interface Credentials {
  deviceId: string;
  username: string;
  password: string;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly code: 'invalid-device-id' | 'exists' | 'not-found';
  constructor(code: RegistryError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

interface Row {
  device_id: string;
  role: Role;
  salt: Buffer;
  secret_hash: Buffer;
  created_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
}

export class DeviceRegistry {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private selectRow: Database.Statement | undefined;

  constructor(path: string, now: () => number = Date.now) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS devices (
      device_id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      salt BLOB NOT NULL,
      secret_hash BLOB NOT NULL,
      created_at TEXT NOT NULL,
      rotated_at TEXT,
      revoked_at TEXT
    ) WITHOUT ROWID`);
    this.now = now;
  }

  /** Registers a device (or service account) and returns its one-time-visible credentials. */
  add(deviceId: string, role: Role = 'device'): Credentials {
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
    this.db
      .prepare(
        'INSERT INTO devices (device_id, role, salt, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(deviceId, role, salt, hash, this.iso());
    return { deviceId, username: deviceId, password };
  }

  /** Registers many devices in one transaction (fleet imports, benchmarks). */
  addMany(deviceIds: string[], role: Role = 'device'): Credentials[] {
    return this.db.transaction(() => deviceIds.map((id) => this.add(id, role)))();
  }

  /**
   * Fresh credentials for each id in one transaction: registered ones are rotated, new ones
   * added (a simulated fleet re-provisioned on each run, fleet imports).
   */
  issueMany(deviceIds: string[], role: Role = 'device'): Credentials[] {
    return this.db.transaction(() =>
      deviceIds.map((id) => (this.row(id) ? this.rotate(id) : this.add(id, role))),
    )();
  }

  /** A new secret; the old one stops working at once. Un-revokes a revoked device. */
  rotate(deviceId: string): Credentials {
    this.require(deviceId);
    const { password, salt, hash } = newSecret();
    this.db
      .prepare(
        'UPDATE devices SET salt = ?, secret_hash = ?, rotated_at = ?, revoked_at = NULL WHERE device_id = ?',
      )
      .run(salt, hash, this.iso(), deviceId);
    return { deviceId, username: deviceId, password };
  }

  revoke(deviceId: string): void {
    this.require(deviceId);
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
    const row = this.row(username);
    if (!row || row.revoked_at !== null) return null;
    const hash = hashSecret(row.salt, Buffer.from(password));
    return timingSafeEqual(hash, row.secret_hash) ? row.role : null;
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

function toRecord(r: Row): DeviceRecord {
  return {
    deviceId: r.device_id,
    role: r.role,
    createdAt: r.created_at,
    rotatedAt: r.rotated_at,
    revokedAt: r.revoked_at,
  };
}
