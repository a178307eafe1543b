import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openSqliteRegistry, verifyCredential } from '../src/index.ts';

/**
 * A devices.db as the DeviceRegistry of ingest/src/registry.ts (up to issue 14) left it, made
 * here with that code's DDL and its salted SHA-256, then opened by the new registry.
 */

const OLD_DDL_BEFORE_PLACEMENT = `CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  salt BLOB NOT NULL,
  secret_hash BLOB NOT NULL,
  created_at TEXT NOT NULL,
  rotated_at TEXT,
  revoked_at TEXT
) WITHOUT ROWID`;

const OLD_DDL_WITH_PLACEMENT = `CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  salt BLOB NOT NULL,
  secret_hash BLOB NOT NULL,
  created_at TEXT NOT NULL,
  rotated_at TEXT,
  revoked_at TEXT,
  placement TEXT NOT NULL DEFAULT 'outdoor' CHECK (placement IN ('outdoor', 'indoor'))
) WITHOUT ROWID`;

interface OldBox {
  deviceId: string;
  role: 'device' | 'service';
  password: string;
  revoked?: boolean;
  placement?: 'outdoor' | 'indoor';
}

const BOXES: OldBox[] = [
  { deviceId: '74DA38F20A1B', role: 'device', password: 'kq3Zr0cXb1V9tq2m8yUe_w' },
  {
    deviceId: 'school:42',
    role: 'device',
    password: 'Zx8-aa_Qm0N1b2C3d4E5fg',
    placement: 'indoor',
  },
  { deviceId: 'bridge', role: 'service', password: 'svc_4nT7pQe2rXs9LmKd3aBc' },
  { deviceId: 'stolen-box', role: 'device', password: 'r3v0k3dr3v0k3dr3v0k3dA', revoked: true },
];

function makeOldRegistry(path: string, ddl: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(ddl);
  const withPlacement = ddl.includes('placement');
  for (const box of BOXES) {
    const salt = randomBytes(16);
    const hash = createHash('sha256').update(salt).update(Buffer.from(box.password)).digest();
    const columns = ['device_id', 'role', 'salt', 'secret_hash', 'created_at', 'revoked_at'];
    const values: unknown[] = [
      box.deviceId,
      box.role,
      salt,
      hash,
      '2024-03-01T08:00:00.000Z',
      box.revoked ? '2024-05-01T00:00:00.000Z' : null,
    ];
    if (withPlacement) {
      columns.push('placement');
      values.push(box.placement ?? 'outdoor');
    }
    db.prepare(
      `INSERT INTO devices (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    ).run(...values);
  }
  db.close();
}

describe('a devices.db from before accounts', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  for (const [label, ddl] of [
    ['with placements', OLD_DDL_WITH_PLACEMENT],
    ['from before placements', OLD_DDL_BEFORE_PLACEMENT],
  ] as const) {
    it(`${label}: every box is there and every old password still opens it`, async () => {
      const dir = tempDir('airbox-registry-old-');
      dirs.push(dir);
      const path = join(dir.path, 'devices.db');
      makeOldRegistry(path, ddl);

      const registry = await openSqliteRegistry(path);
      try {
        const { devices } = await registry.devices.snapshot();
        expect(devices.map((d) => d.deviceId).sort()).toEqual(BOXES.map((b) => b.deviceId).sort());
        for (const box of BOXES) {
          const d = devices.find((x) => x.deviceId === box.deviceId)!;
          expect(verifyCredential(d.credential, box.password)).toBe(!box.revoked);
          expect(d).toMatchObject({
            role: box.role,
            createdAt: '2024-03-01T08:00:00.000Z',
            visibility: 'public',
            owner: null,
            // A file from before placements had every box outdoors, as the map showed them.
            placement: ddl === OLD_DDL_WITH_PLACEMENT ? (box.placement ?? 'outdoor') : 'outdoor',
          });
        }
        // The new columns are writable on an adopted row.
        await registry.devices.update('74DA38F20A1B', { name: 'Balcony', visibility: 'private' });
      } finally {
        await registry.close();
      }

      const db = new Database(path, { readonly: true });
      const applied = db
        .prepare('SELECT version FROM schema_migrations ORDER BY version')
        .pluck()
        .all();
      db.close();
      expect(applied).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    });
  }

  it('two registries in one process opening one old file at once both get the new schema once', async () => {
    const dir = tempDir('airbox-registry-race-');
    dirs.push(dir);
    const path = join(dir.path, 'devices.db');
    makeOldRegistry(path, OLD_DDL_BEFORE_PLACEMENT);
    const [a, b] = await Promise.all([openSqliteRegistry(path), openSqliteRegistry(path)]);
    try {
      expect((await a.devices.list()).length).toBe(BOXES.length);
      await b.devices.add({ deviceId: 'new-box' });
      expect((await a.devices.get('new-box'))?.deviceId).toBe('new-box');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a registry opened again keeps its boxes and applies nothing twice', async () => {
    const dir = tempDir('airbox-registry-again-');
    dirs.push(dir);
    const path = join(dir.path, 'sub', 'devices.db');
    const first = await openSqliteRegistry(path);
    const creds = await first.devices.add({ deviceId: 'keeper', placement: 'indoor' });
    await first.close();
    const again = await openSqliteRegistry(path);
    try {
      const { devices } = await again.devices.snapshot();
      expect(verifyCredential(devices[0]!.credential, creds.password)).toBe(true);
      expect(devices[0]?.placement).toBe('indoor');
    } finally {
      await again.close();
    }
  });
});
