import { RegistryError, type SqlDriver } from './port.ts';

/** Times are stored as ISO-8601 UTC text: the same in both databases, and they sort. */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RegistryError('invalid-input', `lifetime ${ttlMs} ms is not a positive duration`);
  }
}

/** 'not-found' unless the account exists: a clearer answer than a foreign-key failure. */
export async function requireAccount(db: SqlDriver, accountId: string): Promise<void> {
  const found = await db.all('SELECT id FROM accounts WHERE id = ?', [accountId]);
  if (found.length === 0) {
    throw new RegistryError('not-found', `account '${accountId}' does not exist`);
  }
}

/** A name a person gave (an API key's, an organisation's): trimmed, 1–100 characters. */
export function checkName(what: string, name: string): string {
  const n = name.trim();
  if (n === '' || n.length > 100) {
    throw new RegistryError('invalid-input', `${what} must be 1–100 characters, not ${n.length}`);
  }
  return n;
}
