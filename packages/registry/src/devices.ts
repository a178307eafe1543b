import {
  RegistryError,
  type CredentialRow,
  type Credentials,
  type DevicePatch,
  type DeviceRecord,
  type DeviceStore,
  type NewDevice,
  type Owner,
  type Placement,
  type Role,
  type SqlDriver,
} from './port.ts';
import {
  PATCH_COLUMNS,
  ROLES,
  checkNewDevice,
  checkPatch,
  notFound,
  requireDeviceId,
  toCredential,
  toRecord,
  type DeviceRow,
} from './device-rows.ts';
import { newSecret } from './secrets.ts';

type Device = DeviceRecord & { credential: CredentialRow };

/** Rows fetched by id at a time: under both databases' limits on bound parameters. */
const IDS_PER_QUERY = 500;

/**
 * Boxes and their secrets. Every write also records, in the same transaction, which box it
 * touched and under which change number (`logChanges`), so every RegistryView — in this
 * process, in `airbox device` in another, in a second broker on the same PostgreSQL — learns
 * of it from `changesSince`.
 */
export class SqlDeviceStore implements DeviceStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  async add(input: NewDevice): Promise<Credentials> {
    const d = checkNewDevice(input);
    return this.db.transaction(async (tx) => {
      await requireOwner(tx, d.owner);
      const { password, salt, hash } = newSecret();
      const inserted = await tx.run(
        `INSERT INTO devices (device_id, role, salt, secret_hash, created_at, placement, visibility,
           exact_position, name, lat, lon, owner_kind, owner_id, anonymous_lass)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO NOTHING`,
        [
          d.deviceId,
          d.role,
          salt,
          hash,
          this.iso(),
          d.placement,
          d.visibility,
          d.exactPosition ? 1 : 0,
          d.name,
          d.lat,
          d.lon,
          d.owner?.kind ?? null,
          d.owner?.id ?? null,
          d.anonymousLass ? 1 : 0,
        ],
      );
      if (inserted.changes === 0) {
        throw new RegistryError(
          'exists',
          `device '${d.deviceId}' is already registered (use 'rotate' for a new secret)`,
        );
      }
      await logChanges(tx, [d.deviceId]);
      return { deviceId: d.deviceId, username: d.deviceId, password };
    });
  }

  async issueMany(
    deviceIds: string[],
    role: Role = 'device',
    options: { placement?: Placement } = {},
  ): Promise<Credentials[]> {
    deviceIds.forEach(requireDeviceId);
    if (!ROLES.includes(role))
      throw new RegistryError('invalid-input', `role '${role}' is not one of: ${ROLES.join(', ')}`);
    const { placement } = checkPatch({ placement: options.placement });
    return this.db.transaction(async (tx) => {
      const issued: Credentials[] = [];
      for (const deviceId of deviceIds) {
        const { password, salt, hash } = newSecret();
        // One statement adds or rotates: on PostgreSQL another broker may add the same id
        // between a look-up and an INSERT, and a plain INSERT would then fail.
        await tx.run(
          `INSERT INTO devices (device_id, role, salt, secret_hash, created_at, placement)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (device_id) DO UPDATE SET salt = excluded.salt,
             secret_hash = excluded.secret_hash, rotated_at = excluded.created_at,
             revoked_at = NULL, placement = COALESCE(?, devices.placement)`,
          [deviceId, role, salt, hash, this.iso(), placement ?? 'outdoor', placement ?? null],
        );
        issued.push({ deviceId, username: deviceId, password });
      }
      await logChanges(tx, deviceIds);
      return issued;
    });
  }

  async get(deviceId: string): Promise<DeviceRecord | null> {
    const [row] = await this.db.all<DeviceRow>('SELECT * FROM devices WHERE device_id = ?', [
      deviceId,
    ]);
    return row ? toRecord(row) : null;
  }

  async list(filter: { owner?: Owner } = {}): Promise<DeviceRecord[]> {
    const rows = filter.owner
      ? await this.db.all<DeviceRow>(
          'SELECT * FROM devices WHERE owner_kind = ? AND owner_id = ? ORDER BY device_id',
          [filter.owner.kind, filter.owner.id],
        )
      : await this.db.all<DeviceRow>('SELECT * FROM devices ORDER BY device_id');
    return rows.map(toRecord);
  }

  async update(deviceId: string, patch: DevicePatch): Promise<DeviceRecord> {
    const checked = checkPatch(patch);
    const fields = (Object.keys(PATCH_COLUMNS) as (keyof DevicePatch)[]).filter(
      (k) => checked[k] !== undefined,
    );
    // Column names come from PATCH_COLUMNS, never from the caller.
    const set = fields.map((k) => `${PATCH_COLUMNS[k].column} = ?`);
    const values = fields.map((k) =>
      (PATCH_COLUMNS[k].store as (v: unknown) => unknown)(checked[k]),
    );
    return this.db.transaction(async (tx) => {
      const changed = await tx.run(
        `UPDATE devices SET ${[...set, 'device_id = device_id'].join(', ')} WHERE device_id = ?`,
        [...values, deviceId],
      );
      if (changed.changes === 0) throw notFound(deviceId);
      await logChanges(tx, [deviceId]);
      const [row] = await tx.all<DeviceRow>('SELECT * FROM devices WHERE device_id = ?', [
        deviceId,
      ]);
      return toRecord(row!);
    });
  }

  async rotate(deviceId: string): Promise<Credentials> {
    const { password, salt, hash } = newSecret();
    await this.write(
      deviceId,
      'UPDATE devices SET salt = ?, secret_hash = ?, rotated_at = ?, revoked_at = NULL WHERE device_id = ?',
      [salt, hash, this.iso(), deviceId],
    );
    return { deviceId, username: deviceId, password };
  }

  async revoke(deviceId: string): Promise<void> {
    // The first revocation's time stays: it is when the box was cut off.
    await this.write(
      deviceId,
      'UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE device_id = ?',
      [this.iso(), deviceId],
    );
  }

  async remove(deviceId: string): Promise<void> {
    await this.write(deviceId, 'DELETE FROM devices WHERE device_id = ?', [deviceId]);
  }

  async transfer(deviceId: string, to: Owner | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      await requireOwner(tx, to);
      await this.write(
        deviceId,
        'UPDATE devices SET owner_kind = ?, owner_id = ? WHERE device_id = ?',
        [to?.kind ?? null, to?.id ?? null, deviceId],
        tx,
      );
    });
  }

  async snapshot(): Promise<{ seq: number; devices: Device[] }> {
    // The number first: a write that lands between the two reads is in the rows and is
    // also after `seq`, so the view reads it again (harmlessly) on its next poll.
    const seq = await currentSeq(this.db);
    const rows = await this.db.all<DeviceRow>('SELECT * FROM devices ORDER BY device_id');
    return { seq, devices: rows.map(withCredential) };
  }

  async changesSince(seq: number): Promise<{
    seq: number;
    changed: { deviceId: string; device: Device | null }[];
  }> {
    // Writers take their number under a row lock held to COMMIT (registry_seq), so every
    // change numbered up to `newest` is committed once `newest` can be read.
    const newest = await currentSeq(this.db);
    const ids = (
      await this.db.all<{ device_id: string }>(
        'SELECT device_id FROM device_changes WHERE seq > ? ORDER BY device_id',
        [seq],
      )
    ).map((r) => r.device_id);
    const rows = new Map<string, DeviceRow>();
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      const found = await this.db.all<DeviceRow>(
        `SELECT * FROM devices WHERE device_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of found) rows.set(r.device_id, r);
    }
    return {
      seq: newest,
      changed: ids.map((deviceId) => {
        const row = rows.get(deviceId);
        return { deviceId, device: row ? withCredential(row) : null };
      }),
    };
  }

  /** One statement on one box, 'not-found' if it touched none, logged as a change. */
  private async write(
    deviceId: string,
    sql: string,
    params: unknown[],
    within?: SqlDriver,
  ): Promise<void> {
    const body = async (tx: SqlDriver) => {
      const changed = await tx.run(sql, params);
      if (changed.changes === 0) throw notFound(deviceId);
      await logChanges(tx, [deviceId]);
    };
    await (within ? body(within) : this.db.transaction(body));
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function withCredential(row: DeviceRow): Device {
  return { ...toRecord(row), credential: toCredential(row) };
}

async function currentSeq(db: SqlDriver): Promise<number> {
  const [row] = await db.all<{ seq: number | string }>('SELECT seq FROM registry_seq WHERE id = 1');
  // PostgreSQL's BIGINT arrives as a string.
  return Number(row?.seq ?? 0);
}

/**
 * Takes the next change number and records it against each box. The UPDATE locks the
 * counter row until this transaction commits: numbers are handed out in commit order.
 */
async function logChanges(tx: SqlDriver, deviceIds: readonly string[]): Promise<void> {
  const [row] = await tx.all<{ seq: number | string }>(
    'UPDATE registry_seq SET seq = seq + 1 WHERE id = 1 RETURNING seq',
  );
  const seq = Number(row!.seq);
  for (const deviceId of new Set(deviceIds)) {
    await tx.run(
      'INSERT INTO device_changes (device_id, seq) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET seq = excluded.seq',
      [deviceId, seq],
    );
  }
}

async function requireOwner(tx: SqlDriver, owner: Owner | null): Promise<void> {
  if (owner === null) return;
  const table = owner.kind === 'account' ? 'accounts' : owner.kind === 'org' ? 'orgs' : null;
  if (table === null) {
    throw new RegistryError(
      'invalid-input',
      `owner kind '${String(owner.kind)}' is not 'account' or 'org'`,
    );
  }
  const found = await tx.all(`SELECT id FROM ${table} WHERE id = ?`, [owner.id]);
  if (found.length === 0) {
    throw new RegistryError(
      'not-found',
      `${owner.kind === 'org' ? 'organisation' : 'account'} '${owner.id}' does not exist`,
    );
  }
}
