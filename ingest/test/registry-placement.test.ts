import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@airbox/testkit';
import { DeviceRegistry, RegistryError } from '../src/registry.ts';

const dir = tempDir('registry-placement');
afterAll(() => dir.remove());

/** A devices.db as the registry wrote it before placements existed (commit dd58234). */
function oldRegistryFile(path: string, deviceId: string, password: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    salt BLOB NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    rotated_at TEXT,
    revoked_at TEXT
  ) WITHOUT ROWID`);
  const salt = Buffer.alloc(16, 7);
  const hash = createHash('sha256').update(salt).update(password).digest();
  db.prepare(
    'INSERT INTO devices (device_id, role, salt, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(deviceId, 'device', salt, hash, '2025-01-01T00:00:00.000Z');
  db.close();
}

describe('device placement', () => {
  it('upgrades a registry file from before placements: devices outdoors, secrets still valid', () => {
    const path = join(dir.path, 'old', 'devices.db');
    mkdirSync(join(dir.path, 'old'));
    oldRegistryFile(path, 'school-3', 'old-secret');

    const registry = new DeviceRegistry(path);
    expect(registry.list()).toEqual([
      expect.objectContaining({ deviceId: 'school-3', placement: 'outdoor', role: 'device' }),
    ]);
    expect(registry.verify('school-3', 'old-secret')).toBe('device');
    registry.setPlacement('school-3', 'indoor');
    registry.add('roof-1');
    registry.close();

    // Opened again (the column is there now): nothing is added twice, nothing is lost.
    const again = new DeviceRegistry(path);
    expect(again.list().map((d) => [d.deviceId, d.placement])).toEqual([
      ['roof-1', 'outdoor'],
      ['school-3', 'indoor'],
    ]);
    expect([...again.indoorDeviceIds()]).toEqual(['school-3']);
    again.close();
  });

  it('is set at registration, changed later, and refused for an unknown id', () => {
    const registry = new DeviceRegistry(':memory:');
    registry.add('class-1', 'device', { placement: 'indoor' });
    registry.addMany(['roof-1', 'roof-2']);
    registry.addMany(['class-2'], 'device', { placement: 'indoor' });
    expect([...registry.indoorDeviceIds()].sort()).toEqual(['class-1', 'class-2']);

    registry.setPlacement('class-1', 'outdoor');
    registry.setPlacement('roof-2', 'indoor');
    expect([...registry.indoorDeviceIds()].sort()).toEqual(['class-2', 'roof-2']);
    expect(registry.list().map((d) => d.placement)).toEqual([
      'outdoor', // class-1
      'indoor', // class-2
      'outdoor', // roof-1
      'indoor', // roof-2
    ]);

    const error = (() => {
      try {
        registry.setPlacement('nowhere-9', 'indoor');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'not-found' });
    expect((error as Error).message).toContain("'nowhere-9'");
    registry.close();
  });

  it('issueMany sets a given placement on new and registered devices, and keeps it otherwise', () => {
    const registry = new DeviceRegistry(':memory:');
    registry.add('sim-1', 'device', { placement: 'indoor' });
    registry.issueMany(['sim-1', 'sim-2']);
    expect([...registry.indoorDeviceIds()]).toEqual(['sim-1']);
    const creds = registry.issueMany(['sim-1', 'sim-2'], 'device', { placement: 'indoor' });
    expect([...registry.indoorDeviceIds()].sort()).toEqual(['sim-1', 'sim-2']);
    // Still rotated: the new secret works.
    expect(registry.verify('sim-2', creds[1]!.password)).toBe('device');
    registry.issueMany(['sim-1'], 'device', { placement: 'outdoor' });
    expect([...registry.indoorDeviceIds()]).toEqual(['sim-2']);
    registry.close();
  });

  it('sees a change made through another connection (another process) on the next call', () => {
    const path = join(dir.path, 'shared', 'devices.db');
    const server = new DeviceRegistry(path);
    const cli = new DeviceRegistry(path);
    server.add('box-1');
    expect(server.indoorDeviceIds().size).toBe(0);
    const cached = server.indoorDeviceIds();
    expect(server.indoorDeviceIds()).toBe(cached); // unchanged file: no query, same set

    cli.setPlacement('box-1', 'indoor');
    expect([...server.indoorDeviceIds()]).toEqual(['box-1']);
    cli.setPlacement('box-1', 'outdoor');
    expect(server.indoorDeviceIds().size).toBe(0);
    server.close();
    cli.close();
  });
});
