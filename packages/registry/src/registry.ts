import type { Registry, SqlDriver } from './port.ts';
import { migrate } from './migrations.ts';
import { SqlDeviceStore } from './devices.ts';
import { SqlAccountStore } from './accounts.ts';
import { SqlSessionStore } from './sessions.ts';
import { SqlResetStore } from './resets.ts';
import { SqlApiKeyStore } from './api-keys.ts';
import { SqlOrgStore } from './orgs.ts';
import { SqlAlertOutboxStore } from './alert-outbox.ts';
import { SqlAlertStore } from './alerts.ts';
import { openSqliteDriver } from './sqlite-driver.ts';
import { openPostgresDriver, type PostgresDriverOptions } from './postgres-driver.ts';

export interface RegistryOptions {
  /** The clock behind every stored time and every expiry; tests pass their own. */
  now?: () => number;
}

/**
 * The registry over any SqlDriver: brings its schema up to date, then hands out the stores.
 * Closing the registry closes the driver.
 */
export async function openRegistry(
  driver: SqlDriver,
  options: RegistryOptions = {},
): Promise<Registry> {
  const now = options.now ?? Date.now;
  try {
    await migrate(driver, now);
  } catch (e) {
    await driver.close();
    throw e;
  }
  return {
    kind: driver.dialect,
    devices: new SqlDeviceStore(driver, now),
    accounts: new SqlAccountStore(driver, now),
    sessions: new SqlSessionStore(driver, now),
    resets: new SqlResetStore(driver, now),
    apiKeys: new SqlApiKeyStore(driver, now),
    orgs: new SqlOrgStore(driver, now),
    alertOutbox: new SqlAlertOutboxStore(driver, now),
    alerts: new SqlAlertStore(driver, now),
    close: () => driver.close(),
  };
}

/** The embedded registry: one SQLite file (`<data-dir>/devices.db`), or ':memory:'. */
export function openSqliteRegistry(path: string, options: RegistryOptions = {}): Promise<Registry> {
  return openRegistry(openSqliteDriver(path), options);
}

/**
 * The shared registry: PostgreSQL at `postgres://USER:PASSWORD@HOST:PORT/DATABASE`
 * (`--registry`), for several brokers and API servers at once. 'unavailable' if it cannot be
 * reached, naming host:port/database but never the password.
 */
export function openPostgresRegistry(
  url: string,
  options: RegistryOptions & PostgresDriverOptions = {},
): Promise<Registry> {
  return openRegistry(openPostgresDriver(url, options), options);
}
