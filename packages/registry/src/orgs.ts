import { randomUUID } from 'node:crypto';
import {
  ORG_KINDS,
  ORG_ROLES,
  RegistryError,
  type Account,
  type Org,
  type OrgKind,
  type OrgRole,
  type OrgStore,
  type SqlDriver,
} from './port.ts';
import { checkName, isoAt, requireAccount } from './common.ts';
import { toAccount } from './accounts.ts';

interface OrgRow {
  id: string;
  name: string;
  kind: OrgKind;
  created_at: string;
}

/**
 * Organisations (a school, a city office, a company, a community group) and who is in them.
 * An organisation always keeps an owner: the last one can be neither removed nor demoted,
 * or nobody could manage its boxes or members any more.
 */
export class SqlOrgStore implements OrgStore {
  private readonly db: SqlDriver;
  private readonly now: () => number;

  constructor(db: SqlDriver, now: () => number) {
    this.db = db;
    this.now = now;
  }

  async create(input: { name: string; kind: OrgKind }, ownerAccountId: string): Promise<Org> {
    if (!ORG_KINDS.includes(input.kind)) {
      throw new RegistryError(
        'invalid-input',
        `organisation kind '${String(input.kind)}' is not one of: ${ORG_KINDS.join(', ')}`,
      );
    }
    const org: Org = {
      id: randomUUID(),
      name: checkName('organisation name', input.name),
      kind: input.kind,
      createdAt: isoAt(this.now()),
    };
    await this.db.transaction(async (tx) => {
      await requireAccount(tx, ownerAccountId);
      await tx.run('INSERT INTO orgs (id, name, kind, created_at) VALUES (?, ?, ?, ?)', [
        org.id,
        org.name,
        org.kind,
        org.createdAt,
      ]);
      await tx.run("INSERT INTO org_members (org_id, account_id, role) VALUES (?, ?, 'owner')", [
        org.id,
        ownerAccountId,
      ]);
    });
    return org;
  }

  async get(id: string): Promise<Org | null> {
    const [row] = await this.db.all<OrgRow>('SELECT * FROM orgs WHERE id = ?', [id]);
    return row ? toOrg(row) : null;
  }

  async list(): Promise<Org[]> {
    const rows = await this.db.all<OrgRow>('SELECT * FROM orgs ORDER BY name, id');
    return rows.map(toOrg);
  }

  async listOf(accountId: string): Promise<(Org & { role: OrgRole })[]> {
    const rows = await this.db.all<OrgRow & { role: OrgRole }>(
      `SELECT o.id, o.name, o.kind, o.created_at, m.role FROM org_members m
       JOIN orgs o ON o.id = m.org_id WHERE m.account_id = ? ORDER BY o.name, o.id`,
      [accountId],
    );
    return rows.map((r) => ({ ...toOrg(r), role: r.role }));
  }

  async members(orgId: string): Promise<{ account: Account; role: OrgRole }[]> {
    const rows = await this.db.all<{
      id: string;
      email: string;
      display_name: string;
      operator: number;
      created_at: string;
      role: OrgRole;
    }>(
      `SELECT a.id, a.email, a.display_name, a.operator, a.created_at, m.role FROM org_members m
       JOIN accounts a ON a.id = m.account_id WHERE m.org_id = ? ORDER BY a.email`,
      [orgId],
    );
    return rows.map((r) => ({ account: toAccount(r), role: r.role }));
  }

  async setMember(orgId: string, accountId: string, role: OrgRole): Promise<void> {
    if (!ORG_ROLES.includes(role)) {
      throw new RegistryError(
        'invalid-input',
        `role '${String(role)}' is not one of: ${ORG_ROLES.join(', ')}`,
      );
    }
    await this.db.transaction(async (tx) => {
      await requireOrg(tx, orgId);
      await requireAccount(tx, accountId);
      if (role !== 'owner') await keepAnOwner(tx, orgId, accountId, 'demote');
      await tx.run(
        `INSERT INTO org_members (org_id, account_id, role) VALUES (?, ?, ?)
         ON CONFLICT (org_id, account_id) DO UPDATE SET role = excluded.role`,
        [orgId, accountId, role],
      );
    });
  }

  async removeMember(orgId: string, accountId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await keepAnOwner(tx, orgId, accountId, 'remove');
      await tx.run('DELETE FROM org_members WHERE org_id = ? AND account_id = ?', [
        orgId,
        accountId,
      ]);
    });
  }

  async roleOf(orgId: string, accountId: string): Promise<OrgRole | null> {
    const [row] = await this.db.all<{ role: OrgRole }>(
      'SELECT role FROM org_members WHERE org_id = ? AND account_id = ?',
      [orgId, accountId],
    );
    return row?.role ?? null;
  }
}

function toOrg(r: OrgRow): Org {
  return { id: r.id, name: r.name, kind: r.kind, createdAt: r.created_at };
}

export async function requireOrg(tx: SqlDriver, orgId: string): Promise<void> {
  const found = await tx.all('SELECT id FROM orgs WHERE id = ?', [orgId]);
  if (found.length === 0) {
    throw new RegistryError('not-found', `organisation '${orgId}' does not exist`);
  }
}

/**
 * Holds the organisation's row until COMMIT, so two owners demoting or removing each other at
 * once take turns and the second sees the first's change. SQLite's BEGIN IMMEDIATE already
 * lets one writer in at a time; PostgreSQL would let both count two owners and both go.
 */
async function lockMembers(tx: SqlDriver, orgId: string): Promise<void> {
  if (tx.dialect === 'postgres')
    await tx.all('SELECT id FROM orgs WHERE id = ? FOR UPDATE', [orgId]);
}

/** Refuses to take away the organisation's only owner. */
async function keepAnOwner(
  tx: SqlDriver,
  orgId: string,
  accountId: string,
  what: 'demote' | 'remove',
): Promise<void> {
  await lockMembers(tx, orgId);
  const owners = await tx.all<{ account_id: string }>(
    "SELECT account_id FROM org_members WHERE org_id = ? AND role = 'owner'",
    [orgId],
  );
  if (owners.length === 1 && owners[0]!.account_id === accountId) {
    throw new RegistryError(
      'invalid-input',
      `cannot ${what} account '${accountId}': it is the only owner of organisation '${orgId}'`,
      { hint: 'make another member an owner first' },
    );
  }
}
