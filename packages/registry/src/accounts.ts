import { randomUUID } from 'node:crypto';
import { RegistryError, type Account, type AccountStore, type SqlDriver } from './port.ts';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './passwords.ts';

/** Shorter than this is refused: NIST SP 800-63B asks at least 8; we ask a little more. */
export const MIN_PASSWORD_CHARS = 10;
/** Longer is refused before hashing, so nobody makes scrypt chew a megabyte. */
export const MAX_PASSWORD_CHARS = 1024;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, an address therefore 254. */
const MAX_EMAIL_CHARS = 254;
const MAX_DISPLAY_NAME_CHARS = 100;
/** Something@something.tld, no spaces: what is deliverable is for the reset e-mail to find. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface AccountRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  operator: number;
  created_at: string;
}

export class SqlAccountStore implements AccountStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  async create(input: {
    email: string;
    password: string;
    displayName: string;
    operator?: boolean;
  }): Promise<Account> {
    const email = normaliseEmail(input.email);
    checkPassword(input.password, email);
    const displayName = checkDisplayName(input.displayName);
    const hash = await hashPassword(input.password);
    const account: Account = {
      id: randomUUID(),
      email,
      displayName,
      operator: input.operator ?? false,
      createdAt: new Date(this.now()).toISOString(),
    };
    const inserted = await this.db.run(
      `INSERT INTO accounts (id, email, display_name, password_hash, operator, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [account.id, email, displayName, hash, account.operator ? 1 : 0, account.createdAt],
    );
    if (inserted.changes === 0) {
      throw new RegistryError('exists', `an account with e-mail ${email} already exists`, {
        hint: 'sign in, or ask for a password-reset link',
      });
    }
    return account;
  }

  async authenticate(email: string, password: string): Promise<Account | null> {
    const row = await this.row('email', email.trim().toLowerCase());
    // The same scrypt runs whether or not the e-mail is known: the time does not tell.
    const ok = await verifyPassword(
      password.slice(0, MAX_PASSWORD_CHARS),
      row?.password_hash ?? DUMMY_HASH,
    );
    if (!row || !ok || password.length > MAX_PASSWORD_CHARS) return null;
    if (needsRehash(row.password_hash)) await this.storeHash(row.id, password);
    return toAccount(row);
  }

  async get(id: string): Promise<Account | null> {
    const row = await this.row('id', id);
    return row ? toAccount(row) : null;
  }

  async byEmail(email: string): Promise<Account | null> {
    const row = await this.row('email', email.trim().toLowerCase());
    return row ? toAccount(row) : null;
  }

  async list(): Promise<Account[]> {
    const rows = await this.db.all<AccountRow>(
      'SELECT id, email, display_name, operator, created_at FROM accounts ORDER BY email',
    );
    return rows.map(toAccount);
  }

  async setPassword(id: string, password: string): Promise<void> {
    const row = await this.row('id', id);
    if (!row) throw missing(id);
    checkPassword(password, row.email);
    await this.storeHash(id, password);
  }

  async setOperator(id: string, operator: boolean): Promise<void> {
    const changed = await this.db.run('UPDATE accounts SET operator = ? WHERE id = ?', [
      operator ? 1 : 0,
      id,
    ]);
    if (changed.changes === 0) throw missing(id);
  }

  private async storeHash(id: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.db.run('UPDATE accounts SET password_hash = ? WHERE id = ?', [hash, id]);
  }

  private async row(by: 'id' | 'email', value: string): Promise<AccountRow | undefined> {
    const [row] = await this.db.all<AccountRow>(`SELECT * FROM accounts WHERE ${by} = ?`, [value]);
    return row;
  }
}

export function toAccount(
  r: Pick<AccountRow, 'id' | 'email' | 'display_name' | 'operator' | 'created_at'>,
): Account {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    operator: Number(r.operator) === 1,
    createdAt: r.created_at,
  };
}

/** Lower-cased and trimmed, as it is stored and looked up; 'invalid-email' if it is not one. */
export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (e.length > MAX_EMAIL_CHARS || !EMAIL.test(e)) {
    throw new RegistryError('invalid-email', `'${email}' is not an e-mail address`, {
      hint: 'write it as name@example.org',
    });
  }
  return e;
}

function checkPassword(password: string, email: string): void {
  if (password.length < MIN_PASSWORD_CHARS || password.trim().toLowerCase() === email) {
    throw new RegistryError(
      'weak-password',
      `the password must be at least ${MIN_PASSWORD_CHARS} characters and not the e-mail address`,
      { hint: 'a few unrelated words make a long password that is easy to remember' },
    );
  }
  if (password.length > MAX_PASSWORD_CHARS) {
    throw new RegistryError(
      'invalid-input',
      `the password is longer than ${MAX_PASSWORD_CHARS} characters`,
    );
  }
}

function checkDisplayName(name: string): string {
  const n = name.trim();
  if (n === '' || n.length > MAX_DISPLAY_NAME_CHARS) {
    throw new RegistryError(
      'invalid-input',
      `display name must be 1–${MAX_DISPLAY_NAME_CHARS} characters, not ${n.length}`,
    );
  }
  return n;
}

function missing(id: string): RegistryError {
  return new RegistryError('not-found', `account '${id}' does not exist`);
}
