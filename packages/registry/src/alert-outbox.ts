import { randomBytes } from 'node:crypto';
import {
  OUTBOX_FIRST_RETRY_MS,
  OUTBOX_GIVE_UP_MS,
  OUTBOX_MAX_RETRY_MS,
  type AlertOutboxStore,
  type NewOutboxMessage,
  type OutboxMessage,
  type OutboxState,
} from './alert-outbox-port.ts';
import { isoAt } from './common.ts';
import { RegistryError, type SqlDriver } from './port.ts';

interface Row {
  id: number | string;
  idem_key: string;
  subscription_id: string;
  channel: string;
  locale: string;
  event: string;
  quiet_hours: string | null;
  area: string | null;
  state: OutboxState;
  attempts: number | string;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

const COLUMNS = `id, idem_key, subscription_id, channel, locale, event, quiet_hours, area, state,
  attempts, next_attempt_at, last_error, created_at, delivered_at`;

/** The wait before try n+1 after n failed tries: 30 s doubling, at most 1 h. */
export function backoffMs(failedTries: number): number {
  const exp = Math.min(Math.max(failedTries - 1, 0), 20);
  return Math.min(OUTBOX_FIRST_RETRY_MS * 2 ** exp, OUTBOX_MAX_RETRY_MS);
}

/** The outbox over SQL: one row per idempotency key (alert_outbox, migration step 3). */
export class SqlAlertOutboxStore implements AlertOutboxStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  enqueue(m: NewOutboxMessage): Promise<boolean> {
    return insertMessage(this.db, m, isoAt(this.now()));
  }

  enqueueMany(messages: readonly NewOutboxMessage[]): Promise<boolean[]> {
    const at = isoAt(this.now());
    return this.db.transaction(async (tx) => {
      const taken: boolean[] = [];
      for (const m of messages) taken.push(await insertMessage(tx, m, at));
      return taken;
    });
  }

  async claimDue(owner: string, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    const nowIso = isoAt(this.now());
    // One statement: in PostgreSQL a second dispatcher's UPDATE waits for the first's row
    // locks and then re-checks the lease, so a row is leased to one of them only.
    const rows = await this.db.all<Row>(
      `UPDATE alert_outbox SET lease_owner = ?, lease_until = ?
       WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= ?) AND id IN (
         SELECT o.id FROM alert_outbox o
         WHERE o.state = 'pending' AND o.next_attempt_at <= ?
           AND (o.lease_until IS NULL OR o.lease_until <= ?)
           AND NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.subscription_id = o.subscription_id
             AND p.state = 'pending' AND p.id < o.id)
         ORDER BY o.id LIMIT ?)
       RETURNING ${COLUMNS}`,
      [owner, isoAt(this.now() + leaseMs), nowIso, nowIso, nowIso, limit],
    );
    return rows
      .map(toMessage)
      .sort((a, b) => a.id - b.id)
      .map(({ id: _, ...m }) => m);
  }

  markDelivered(key: string): Promise<void> {
    return this.markDeliveredMany([key]);
  }

  async markDeliveredMany(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += MAX_KEYS_A_STATEMENT) {
      const chunk = keys.slice(i, i + MAX_KEYS_A_STATEMENT);
      await this.db.run(
        `UPDATE alert_outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1,
           last_error = NULL, lease_owner = NULL, lease_until = NULL
         WHERE idem_key IN (${chunk.map(() => '?').join(', ')})`,
        [isoAt(this.now()), ...chunk],
      );
    }
  }

  async markRetry(key: string, error: string, retryAfterMs?: number): Promise<OutboxState> {
    const row = await this.get(key);
    if (row === null || row.state !== 'pending') return row?.state ?? 'failed';
    const nowMs = this.now();
    if (nowMs - Date.parse(row.createdAt) >= OUTBOX_GIVE_UP_MS) {
      await this.markFailed(key, `gave up after 24 h: ${error}`);
      return 'failed';
    }
    const waitMs = Math.min(
      Math.max(retryAfterMs ?? 0, backoffMs(row.attempts + 1)),
      OUTBOX_MAX_RETRY_MS,
    );
    await this.db.run(
      `UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
         lease_owner = NULL, lease_until = NULL WHERE idem_key = ? AND state = 'pending'`,
      [isoAt(nowMs + waitMs), error.slice(0, 1000), key],
    );
    return 'pending';
  }

  async markFailed(key: string, error: string): Promise<void> {
    await this.db.run(
      `UPDATE alert_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?,
         lease_owner = NULL, lease_until = NULL WHERE idem_key = ? AND state = 'pending'`,
      [error.slice(0, 1000), key],
    );
  }

  async defer(key: string, untilMs: number): Promise<void> {
    await this.db.run(
      `UPDATE alert_outbox SET next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE idem_key = ? AND state = 'pending'`,
      [isoAt(untilMs), key],
    );
  }

  async get(key: string): Promise<OutboxMessage | null> {
    const [row] = await this.db.all<Row>(`SELECT ${COLUMNS} FROM alert_outbox WHERE idem_key = ?`, [
      key,
    ]);
    return row === undefined ? null : strip(toMessage(row));
  }

  async listRecent(filter: {
    subscriptionId?: string;
    state?: OutboxState;
    limit: number;
  }): Promise<OutboxMessage[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.subscriptionId !== undefined) {
      where.push('subscription_id = ?');
      params.push(filter.subscriptionId);
    }
    if (filter.state !== undefined) {
      where.push('state = ?');
      params.push(filter.state);
    }
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM alert_outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT ?`,
      [...params, checkLimit(filter.limit)],
    );
    return rows.map((r) => strip(toMessage(r)));
  }

  async listRecentAreas(limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM alert_outbox WHERE area IS NOT NULL ORDER BY id DESC LIMIT ?`,
      [checkLimit(limit)],
    );
    return rows.map((r) => strip(toMessage(r)));
  }

  async serverKey(name: string): Promise<Buffer> {
    // Two nodes making it at once: the first insert wins and both read it.
    await this.db.run(
      'INSERT INTO alert_keys (name, key_bytes, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
      [name, randomBytes(32), isoAt(this.now())],
    );
    const [row] = await this.db.all<{ key_bytes: Buffer }>(
      'SELECT key_bytes FROM alert_keys WHERE name = ?',
      [name],
    );
    if (row === undefined) throw new RegistryError('unavailable', `server key '${name}' vanished`);
    return Buffer.from(row.key_bytes);
  }

  async prune(beforeMs: number): Promise<number> {
    const { changes } = await this.db.run(
      "DELETE FROM alert_outbox WHERE state <> 'pending' AND created_at < ?",
      [isoAt(beforeMs)],
    );
    return changes;
  }
}

/** Well under SQLite's 32,766 bound parameters. */
const MAX_KEYS_A_STATEMENT = 500;

/**
 * 'invalid-input' unless the key is 1–200 characters. Checked before a message joins a batch:
 * one bad key would otherwise roll back every message committed with it.
 */
export function checkOutboxKey(key: string): void {
  if (key === '' || key.length > 200) {
    throw new RegistryError(
      'invalid-input',
      `outbox key must be 1–200 characters, not ${key.length}`,
    );
  }
}

async function insertMessage(db: SqlDriver, m: NewOutboxMessage, at: string): Promise<boolean> {
  checkOutboxKey(m.key);
  const { changes } = await db.run(
    `INSERT INTO alert_outbox (idem_key, subscription_id, channel, locale, event, quiet_hours,
       area, state, attempts, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
    [
      m.key,
      m.subscriptionId,
      m.channelJson,
      m.locale,
      m.eventJson,
      m.quietHoursJson,
      m.areaJson,
      at,
      at,
    ],
  );
  return changes === 1;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new RegistryError('invalid-input', `limit ${limit} must be a whole number 1–10000`);
  }
  return limit;
}

function toMessage(r: Row): OutboxMessage & { id: number } {
  return {
    id: Number(r.id),
    key: r.idem_key,
    subscriptionId: r.subscription_id,
    channelJson: r.channel,
    locale: r.locale,
    eventJson: r.event,
    quietHoursJson: r.quiet_hours,
    areaJson: r.area,
    state: r.state,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

function strip({ id: _, ...m }: OutboxMessage & { id: number }): OutboxMessage {
  return m;
}
