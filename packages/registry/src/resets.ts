import type { ResetStore, SqlDriver } from './port.ts';
import { checkTtl, isoAt, requireAccount } from './common.ts';
import { newToken, tokenHash } from './secrets.ts';

/** Password-reset links: one use each, then spent; only the token's SHA-256 is stored. */
export class SqlResetStore implements ResetStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  async create(accountId: string, ttlMs: number): Promise<string> {
    checkTtl(ttlMs);
    await requireAccount(this.db, accountId);
    const token = newToken();
    const nowMs = this.now();
    // Spent and expired links of this account are of no further use.
    await this.db.run(
      'DELETE FROM password_resets WHERE account_id = ? AND (used_at IS NOT NULL OR expires_at <= ?)',
      [accountId, isoAt(nowMs)],
    );
    await this.db.run(
      'INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      [tokenHash(token), accountId, isoAt(nowMs), isoAt(nowMs + ttlMs)],
    );
    return token;
  }

  async consume(token: string): Promise<string | null> {
    const nowIso = isoAt(this.now());
    // One statement both checks and spends: two clicks at once cannot both succeed.
    const [row] = await this.db.all<{ account_id: string }>(
      `UPDATE password_resets SET used_at = ?
       WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING account_id`,
      [nowIso, tokenHash(token), nowIso],
    );
    return row?.account_id ?? null;
  }
}
