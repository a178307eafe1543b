import { randomUUID } from 'node:crypto';
import {
  RegistryError,
  type ApiKey,
  type ApiKeyStore,
  type KeyQuota,
  type SqlDriver,
} from './port.ts';
import { checkName, isoAt, requireAccount } from './common.ts';
import { newToken, tokenHash } from './secrets.ts';

/**
 * A key's default allowance: five times what one address may ask anonymously (600 a minute),
 * fifty requests a second on average, and a gibibyte of responses a day.
 */
export const API_KEY_DEFAULT_PER_MINUTE = 3_000;
export const API_KEY_DEFAULT_BYTES_PER_DAY = 2 ** 30;
/** Keys start with this, so a leaked one is recognisable in logs and by secret scanners. */
export const API_KEY_PREFIX = 'abx_';

interface ApiKeyRow {
  id: string;
  account_id: string;
  name: string;
  per_minute: number;
  bytes_per_day: number | string;
  created_at: string;
  revoked_at: string | null;
}

export class SqlApiKeyStore implements ApiKeyStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  async create(
    accountId: string,
    name: string,
    quota: KeyQuota = {},
  ): Promise<ApiKey & { key: string }> {
    const set = await this.accountQuota(accountId);
    const perMinute = checkQuota(
      'perMinute',
      quota.perMinute ?? set.perMinute ?? API_KEY_DEFAULT_PER_MINUTE,
    );
    const bytesPerDay = checkQuota(
      'bytesPerDay',
      quota.bytesPerDay ?? set.bytesPerDay ?? API_KEY_DEFAULT_BYTES_PER_DAY,
    );
    const apiKey: ApiKey = {
      id: randomUUID(),
      accountId,
      name: checkName('API key name', name),
      perMinute,
      bytesPerDay,
      createdAt: isoAt(this.now()),
      revokedAt: null,
    };
    const key = API_KEY_PREFIX + newToken();
    await this.db.run(
      `INSERT INTO api_keys (id, account_id, name, key_hash, per_minute, bytes_per_day, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [apiKey.id, accountId, apiKey.name, tokenHash(key), perMinute, bytesPerDay, apiKey.createdAt],
    );
    return { ...apiKey, key };
  }

  /** The quota an operator set for the account's keys (nothing set: undefined fields). */
  private async accountQuota(accountId: string): Promise<KeyQuota> {
    const [row] = await this.db.all<{
      key_per_minute: number | null;
      key_bytes_per_day: number | string | null;
    }>('SELECT key_per_minute, key_bytes_per_day FROM accounts WHERE id = ?', [accountId]);
    if (row === undefined) {
      throw new RegistryError('not-found', `account '${accountId}' does not exist`);
    }
    return {
      ...(row.key_per_minute === null ? {} : { perMinute: Number(row.key_per_minute) }),
      ...(row.key_bytes_per_day === null ? {} : { bytesPerDay: Number(row.key_bytes_per_day) }),
    };
  }

  async setQuota(keyId: string, quota: KeyQuota): Promise<ApiKey | null> {
    const { perMinute, bytesPerDay } = checkedQuota(quota);
    await this.db.run(
      `UPDATE api_keys SET per_minute = COALESCE(?, per_minute),
         bytes_per_day = COALESCE(?, bytes_per_day) WHERE id = ?`,
      [perMinute, bytesPerDay, keyId],
    );
    const [row] = await this.db.all<ApiKeyRow>('SELECT * FROM api_keys WHERE id = ?', [keyId]);
    return row ? toApiKey(row) : null;
  }

  async setAccountQuota(accountId: string, quota: KeyQuota): Promise<ApiKey[]> {
    const { perMinute, bytesPerDay } = checkedQuota(quota);
    await this.db.transaction(async (tx) => {
      await requireAccount(tx, accountId);
      await tx.run(
        `UPDATE accounts SET key_per_minute = COALESCE(?, key_per_minute),
           key_bytes_per_day = COALESCE(?, key_bytes_per_day) WHERE id = ?`,
        [perMinute, bytesPerDay, accountId],
      );
      await tx.run(
        `UPDATE api_keys SET per_minute = COALESCE(?, per_minute),
           bytes_per_day = COALESCE(?, bytes_per_day) WHERE account_id = ? AND revoked_at IS NULL`,
        [perMinute, bytesPerDay, accountId],
      );
    });
    return (await this.list(accountId)).filter((k) => k.revokedAt === null);
  }

  async list(accountId: string): Promise<ApiKey[]> {
    const rows = await this.db.all<ApiKeyRow>(
      'SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at, id',
      [accountId],
    );
    return rows.map(toApiKey);
  }

  async revoke(accountId: string, id: string): Promise<boolean> {
    const changed = await this.db.run(
      'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND account_id = ?',
      [isoAt(this.now()), id, accountId],
    );
    return changed.changes > 0;
  }

  async verify(key: string): Promise<ApiKey | null> {
    if (!key.startsWith(API_KEY_PREFIX)) return null;
    const [row] = await this.db.all<ApiKeyRow>(
      'SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
      [tokenHash(key)],
    );
    return row ? toApiKey(row) : null;
  }
}

function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    perMinute: Number(r.per_minute),
    // PostgreSQL's BIGINT arrives as a string.
    bytesPerDay: Number(r.bytes_per_day),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

/** The quota's fields checked, a missing one as null (COALESCE keeps what is stored). */
function checkedQuota(quota: KeyQuota): { perMinute: number | null; bytesPerDay: number | null } {
  if (quota.perMinute === undefined && quota.bytesPerDay === undefined) {
    throw new RegistryError('invalid-input', 'give perMinute, bytesPerDay or both');
  }
  return {
    perMinute: quota.perMinute === undefined ? null : checkQuota('perMinute', quota.perMinute),
    bytesPerDay:
      quota.bytesPerDay === undefined ? null : checkQuota('bytesPerDay', quota.bytesPerDay),
  };
}

function checkQuota(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RegistryError('invalid-input', `${field} ${value} is not a positive whole number`);
  }
  return value;
}
