import type { Session, SessionStore, SqlDriver } from './port.ts';
import { checkTtl, isoAt, requireAccount } from './common.ts';
import { newToken, tokenHash } from './secrets.ts';

interface SessionRow {
  account_id: string;
  csrf_token: string;
  expires_at: string;
}

/**
 * Browser sessions. The cookie carries the token; the database holds only its SHA-256, so a
 * copy of the registry signs nobody in. The CSRF token is not a credential on its own (it is
 * sent back in pages) and is kept as it is.
 */
export class SqlSessionStore implements SessionStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  async create(accountId: string, ttlMs: number): Promise<Session & { token: string }> {
    checkTtl(ttlMs);
    await requireAccount(this.db, accountId);
    const token = newToken();
    const nowMs = this.now();
    const session = { accountId, csrfToken: newToken(), expiresAt: isoAt(nowMs + ttlMs) };
    // The account's expired sessions go as it signs in again: the table stays its live size.
    await this.db.run('DELETE FROM sessions WHERE account_id = ? AND expires_at <= ?', [
      accountId,
      isoAt(nowMs),
    ]);
    await this.db.run(
      'INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [tokenHash(token), accountId, session.csrfToken, isoAt(nowMs), session.expiresAt],
    );
    return { ...session, token };
  }

  async get(token: string): Promise<Session | null> {
    const [row] = await this.db.all<SessionRow>(
      'SELECT account_id, csrf_token, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?',
      [tokenHash(token), isoAt(this.now())],
    );
    return row
      ? { accountId: row.account_id, csrfToken: row.csrf_token, expiresAt: row.expires_at }
      : null;
  }

  async delete(token: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash(token)]);
  }

  async deleteAllOf(accountId: string, except?: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?', [
      accountId,
      // No token hashes to the empty string: without `except`, every session goes.
      except === undefined ? '' : tokenHash(except),
    ]);
  }
}
