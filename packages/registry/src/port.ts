import { CodedError } from '@airbox/contracts';
import type { AlertOutboxStore } from './alert-outbox-port.ts';

/**
 * The registry port: accounts, organisations, boxes and their MQTT credentials, browser
 * sessions, password-reset links and API keys. Two adapters implement it over one SQL
 * driver interface (SqlDriver): SQLite (the embedded default, `<data-dir>/devices.db`) and
 * PostgreSQL (`--registry postgres://…`). Every call is async; the broker and the API read
 * boxes through a RegistryView, an in-memory snapshot kept fresh from `devices.changesSince`,
 * so a CONNECT or a public request never waits on the database.
 */

/** A box's own login, or a service account (a bridge, a stream worker) that speaks for any box. */
export type Role = 'device' | 'service';

/**
 * Where a box stands. Indoor boxes measure a room: the map hides them by default and the
 * surface leaves them out.
 */
export const PLACEMENTS = ['outdoor', 'indoor'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** Private boxes appear on no public route: not the map, the surface, the stream or a tail. */
export const VISIBILITIES = ['public', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const ORG_KINDS = ['school', 'government', 'company', 'community'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** owner > admin > member > viewer: each may do what the ones after it may. */
export const ORG_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** A box belongs to one account or one organisation, or (operator-registered, LASS) to nobody. */
export type Owner = { kind: 'account'; id: string } | { kind: 'org'; id: string };

export type RegistryErrorCode =
  | 'invalid-device-id'
  | 'invalid-email'
  | 'weak-password'
  | 'invalid-input'
  | 'exists'
  | 'not-found'
  | 'unavailable';

export class RegistryError extends CodedError<RegistryErrorCode> {}

export interface DeviceRecord {
  deviceId: string;
  role: Role;
  placement: Placement;
  visibility: Visibility;
  /** Off (the default): public routes round the position to ~100 m (0.001°). */
  exactPosition: boolean;
  name: string | null;
  lat: number | null;
  lon: number | null;
  owner: Owner | null;
  /**
   * A LASS box that publishes without credentials (`--allow-anonymous-lass`), assigned to an
   * owner by an operator or an organisation admin: anonymous lines for it are still taken.
   */
  anonymousLass: boolean;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

export interface NewDevice {
  deviceId: string;
  role?: Role;
  /** Default 'outdoor'. */
  placement?: Placement;
  /** Default 'public'. */
  visibility?: Visibility;
  exactPosition?: boolean;
  name?: string | null;
  lat?: number | null;
  lon?: number | null;
  owner?: Owner | null;
  anonymousLass?: boolean;
}

export type DevicePatch = Partial<
  Pick<DeviceRecord, 'name' | 'lat' | 'lon' | 'placement' | 'visibility' | 'exactPosition'>
>;

/** Shown once, when a box is registered or its secret rotated; only a hash is kept. */
export interface Credentials {
  deviceId: string;
  username: string;
  password: string;
}

/**
 * What a box's login is checked against: a salted SHA-256 of a 128-bit random secret (no
 * dictionary to try, so no slow hash: 15,000 boxes reconnect in seconds). `stamp` fingerprints
 * the secret, so a rotation or a revocation reads as a different stamp.
 */
export interface CredentialRow {
  deviceId: string;
  role: Role;
  salt: Buffer;
  hash: Buffer;
  stamp: string;
  revoked: boolean;
}

export interface DeviceStore {
  /** Registers a box; 'exists' if the id is taken, 'invalid-device-id' if malformed. */
  add(input: NewDevice): Promise<Credentials>;
  /** Fresh credentials for each id in one transaction: known ids rotated, new ones added. */
  issueMany(
    deviceIds: string[],
    role?: Role,
    options?: { placement?: Placement },
  ): Promise<Credentials[]>;
  get(deviceId: string): Promise<DeviceRecord | null>;
  /** Every box, or one owner's, ordered by id. */
  list(filter?: { owner?: Owner }): Promise<DeviceRecord[]>;
  update(deviceId: string, patch: DevicePatch): Promise<DeviceRecord>;
  /** A new secret; the old one stops working. Un-revokes a revoked box. */
  rotate(deviceId: string): Promise<Credentials>;
  revoke(deviceId: string): Promise<void>;
  /** Forgets the box; its stored readings stay. */
  remove(deviceId: string): Promise<void>;
  transfer(deviceId: string, to: Owner | null): Promise<void>;
  /** Every box's record and credential, for a RegistryView's first load. */
  snapshot(): Promise<{ seq: number; devices: (DeviceRecord & { credential: CredentialRow })[] }>;
  /**
   * The boxes written after change `seq` (added, changed, rotated, revoked, removed, moved to
   * another owner), with their rows as they are now (absent once removed), and the newest seq.
   */
  changesSince(seq: number): Promise<{
    seq: number;
    changed: { deviceId: string; device: (DeviceRecord & { credential: CredentialRow }) | null }[];
  }>;
}

export interface Account {
  id: string;
  /** Lower-cased, trimmed. */
  email: string;
  displayName: string;
  operator: boolean;
  createdAt: string;
}

export interface AccountStore {
  /** 'invalid-email', 'weak-password' (under 10 characters, or the e-mail itself), 'exists'. */
  create(input: {
    email: string;
    password: string;
    displayName: string;
    operator?: boolean;
  }): Promise<Account>;
  /**
   * The account with this e-mail and password, or null. The slow hash (scrypt) runs for an
   * unknown e-mail too, so the time taken does not tell which one was wrong.
   */
  authenticate(email: string, password: string): Promise<Account | null>;
  get(id: string): Promise<Account | null>;
  byEmail(email: string): Promise<Account | null>;
  /** Every account, ordered by e-mail (for an operator: `airbox account list`). */
  list(): Promise<Account[]>;
  setPassword(id: string, password: string): Promise<void>;
  setOperator(id: string, operator: boolean): Promise<void>;
}

export interface Session {
  accountId: string;
  csrfToken: string;
  expiresAt: string;
}

/** Tokens are 256-bit random; only their SHA-256 is stored. */
export interface SessionStore {
  create(accountId: string, ttlMs: number): Promise<Session & { token: string }>;
  /** The live session of a token, or null (unknown, expired). */
  get(token: string): Promise<Session | null>;
  delete(token: string): Promise<void>;
  /** Signs an account out everywhere (a password change), but for the session `except`. */
  deleteAllOf(accountId: string, except?: string): Promise<void>;
}

/** One-time password-reset links: `airbox account reset-link EMAIL`, later by e-mail. */
export interface ResetStore {
  create(accountId: string, ttlMs: number): Promise<string>;
  /** The account a live, unused token is for, and the token is spent; else null. */
  consume(token: string): Promise<string | null>;
}

export interface ApiKey {
  id: string;
  accountId: string;
  name: string;
  /** Requests a minute and response bytes a day allowed to this key. */
  perMinute: number;
  bytesPerDay: number;
  createdAt: string;
  revokedAt: string | null;
}

/** What an API key may take; a field left out is left as it is (or the default). */
export interface KeyQuota {
  /** Requests a minute. */
  perMinute?: number;
  /** Response bytes a UTC day. */
  bytesPerDay?: number;
}

export interface ApiKeyStore {
  /**
   * The key itself is returned once; only its SHA-256 is stored. Its quota: `quota`, else
   * the one an operator set for the account (setAccountQuota), else the defaults.
   */
  create(accountId: string, name: string, quota?: KeyQuota): Promise<ApiKey & { key: string }>;
  /** An operator's quota for one key; null when no key has this id. */
  setQuota(keyId: string, quota: KeyQuota): Promise<ApiKey | null>;
  /**
   * An operator's quota for the account's keys: its live ones now, and those it makes later.
   * Returns its live keys.
   */
  setAccountQuota(accountId: string, quota: KeyQuota): Promise<ApiKey[]>;
  list(accountId: string): Promise<ApiKey[]>;
  /** False when the account has no such key. */
  revoke(accountId: string, id: string): Promise<boolean>;
  /** The live key, or null (unknown, revoked). */
  verify(key: string): Promise<ApiKey | null>;
}

export interface Org {
  id: string;
  name: string;
  kind: OrgKind;
  createdAt: string;
}

export interface OrgStore {
  /** The creator becomes its owner. */
  create(input: { name: string; kind: OrgKind }, ownerAccountId: string): Promise<Org>;
  get(id: string): Promise<Org | null>;
  /** Every organisation, ordered by name (for an operator: `airbox org list`). */
  list(): Promise<Org[]>;
  /** The organisations an account belongs to, with its role in each. */
  listOf(accountId: string): Promise<(Org & { role: OrgRole })[]>;
  members(orgId: string): Promise<{ account: Account; role: OrgRole }[]>;
  setMember(orgId: string, accountId: string, role: OrgRole): Promise<void>;
  removeMember(orgId: string, accountId: string): Promise<void>;
  roleOf(orgId: string, accountId: string): Promise<OrgRole | null>;
}

/** A JSON object as stored: what @airbox/alerts checks with its own schema when it reads one. */
export type JsonObject = { [key: string]: unknown };

/**
 * An alert subscription as the registry keeps it. What it watches and how (target, kind,
 * thresholds, channel…) is `spec`, whose shape @airbox/alerts owns and checks; the registry
 * keeps who owns it, whether it is paused, and its secret (the HMAC key of webhook
 * signatures, which the sender needs in the clear).
 */
export interface AlertSubscriptionRecord {
  id: string;
  owner: Owner;
  kind: string;
  spec: JsonObject;
  paused: boolean;
  secret: string;
  createdAt: string;
}

/** The evaluator's memory of one subscription for one key (a box, an area, 'offline'). */
export interface AlertStateRecord {
  subscriptionId: string;
  key: string;
  state: JsonObject;
  updatedAt: string;
}

export interface AlertStore {
  /** The secret is 256-bit random; 'not-found' if the owning account or organisation is gone. */
  create(input: { owner: Owner; kind: string; spec: JsonObject }): Promise<{
    id: string;
    secret: string;
  }>;
  get(id: string): Promise<AlertSubscriptionRecord | null>;
  /** One owner's subscriptions, oldest first. */
  listOf(owner: Owner): Promise<AlertSubscriptionRecord[]>;
  /** Every subscription not paused, for the evaluator. */
  listActive(): Promise<AlertSubscriptionRecord[]>;
  /** False when there is no such subscription. */
  setPaused(id: string, paused: boolean): Promise<boolean>;
  /** Forgets the subscription and its state; false when there was none. */
  delete(id: string): Promise<boolean>;
  getState(subscriptionId: string, key: string): Promise<JsonObject | null>;
  /** Every subscription's state, for an evaluator starting up. */
  listStates(): Promise<AlertStateRecord[]>;
  /**
   * Writes many states in one transaction (null deletes one). A state of a subscription
   * deleted meanwhile is dropped, not an error: the evaluator writes behind.
   */
  putStates(
    entries: readonly { subscriptionId: string; key: string; state: JsonObject | null }[],
  ): Promise<void>;
}

export interface Registry {
  readonly kind: 'sqlite' | 'postgres';
  readonly devices: DeviceStore;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly resets: ResetStore;
  readonly apiKeys: ApiKeyStore;
  readonly orgs: OrgStore;
  /** Alert messages until a channel took them (issue 16). */
  readonly alertOutbox: AlertOutboxStore;
  readonly alerts: AlertStore;
  close(): Promise<void>;
}

/**
 * What the stores need from a database: both adapters run the same SQL through this, `?`
 * placeholders (the PostgreSQL driver numbers them), ISO-8601 text for times, bytes as
 * BLOB / BYTEA (Buffer both ways). A failure to reach the database is RegistryError
 * 'unavailable'.
 */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /** `fn` runs in one transaction on one connection; a throw rolls it back. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
