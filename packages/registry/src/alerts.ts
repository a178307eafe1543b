import { randomUUID } from 'node:crypto';
import {
  RegistryError,
  type AlertStateRecord,
  type AlertStore,
  type AlertSubscriptionRecord,
  type JsonObject,
  type Owner,
  type SqlDriver,
} from './port.ts';
import { isoAt, requireAccount } from './common.ts';
import { requireOrg } from './orgs.ts';
import { newToken } from './secrets.ts';

interface SubscriptionRow {
  id: string;
  account_id: string | null;
  org_id: string | null;
  kind: string;
  spec: string;
  paused: number;
  secret: string;
  created_at: string;
}

interface StateRow {
  subscription_id: string;
  key: string;
  state: string;
  updated_at: string;
}

/**
 * Alert subscriptions and the evaluator's state (issue 16). The registry keeps the spec as
 * JSON without reading it: its shape is @airbox/alerts', checked there on the way in and out.
 */
export class SqlAlertStore implements AlertStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  async create(input: {
    owner: Owner;
    kind: string;
    spec: JsonObject;
  }): Promise<{ id: string; secret: string }> {
    const id = randomUUID();
    const secret = newToken();
    const { owner } = input;
    await this.db.transaction(async (tx) => {
      if (owner.kind === 'account') await requireAccount(tx, owner.id);
      else await requireOrg(tx, owner.id);
      await tx.run(
        `INSERT INTO alert_subscriptions (id, account_id, org_id, kind, spec, paused, secret, created_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
        [
          id,
          owner.kind === 'account' ? owner.id : null,
          owner.kind === 'org' ? owner.id : null,
          input.kind,
          JSON.stringify(input.spec),
          secret,
          isoAt(this.now()),
        ],
      );
    });
    return { id, secret };
  }

  async get(id: string): Promise<AlertSubscriptionRecord | null> {
    const [row] = await this.db.all<SubscriptionRow>(
      'SELECT * FROM alert_subscriptions WHERE id = ?',
      [id],
    );
    return row ? toSubscription(row) : null;
  }

  async listOf(owner: Owner): Promise<AlertSubscriptionRecord[]> {
    const column = owner.kind === 'account' ? 'account_id' : 'org_id';
    const rows = await this.db.all<SubscriptionRow>(
      `SELECT * FROM alert_subscriptions WHERE ${column} = ? ORDER BY created_at, id`,
      [owner.id],
    );
    return rows.map(toSubscription);
  }

  async listActive(): Promise<AlertSubscriptionRecord[]> {
    const rows = await this.db.all<SubscriptionRow>(
      'SELECT * FROM alert_subscriptions WHERE paused = 0 ORDER BY created_at, id',
    );
    return rows.map(toSubscription);
  }

  async setPaused(id: string, paused: boolean): Promise<boolean> {
    const { changes } = await this.db.run(
      'UPDATE alert_subscriptions SET paused = ? WHERE id = ?',
      [paused ? 1 : 0, id],
    );
    return changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    const { changes } = await this.db.run('DELETE FROM alert_subscriptions WHERE id = ?', [id]);
    return changes > 0;
  }

  async getState(subscriptionId: string, key: string): Promise<JsonObject | null> {
    const [row] = await this.db.all<StateRow>(
      'SELECT * FROM alert_state WHERE subscription_id = ? AND key = ?',
      [subscriptionId, key],
    );
    return row ? parseObject(row.state) : null;
  }

  async listStates(): Promise<AlertStateRecord[]> {
    const rows = await this.db.all<StateRow>(
      'SELECT * FROM alert_state ORDER BY subscription_id, key',
    );
    return rows.map((r) => ({
      subscriptionId: r.subscription_id,
      key: r.key,
      state: parseObject(r.state),
      updatedAt: r.updated_at,
    }));
  }

  async putStates(
    entries: readonly { subscriptionId: string; key: string; state: JsonObject | null }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const at = isoAt(this.now());
    await this.db.transaction(async (tx) => {
      for (const e of entries) {
        if (e.state === null) {
          await tx.run('DELETE FROM alert_state WHERE subscription_id = ? AND key = ?', [
            e.subscriptionId,
            e.key,
          ]);
          continue;
        }
        // Only while the subscription exists: one deleted meanwhile drops its state quietly.
        await tx.run(
          `INSERT INTO alert_state (subscription_id, key, state, updated_at)
           SELECT id, ?, ?, ? FROM alert_subscriptions WHERE id = ?
           ON CONFLICT (subscription_id, key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
          [e.key, JSON.stringify(e.state), at, e.subscriptionId],
        );
      }
    });
  }
}

function toSubscription(r: SubscriptionRow): AlertSubscriptionRecord {
  const owner: Owner =
    r.account_id !== null ? { kind: 'account', id: r.account_id } : { kind: 'org', id: r.org_id! };
  return {
    id: r.id,
    owner,
    kind: r.kind,
    spec: parseObject(r.spec),
    paused: Number(r.paused) === 1,
    secret: r.secret,
    createdAt: r.created_at,
  };
}

function parseObject(text: string): JsonObject {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RegistryError('unavailable', `stored alert JSON is not an object: ${text}`);
  }
  return value as JsonObject;
}
