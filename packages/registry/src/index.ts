export * from './port.ts';
export * from './alert-outbox-port.ts';
export { backoffMs, checkOutboxKey } from './alert-outbox.ts';
export { isForeignKeyViolation, isUniqueViolation } from './sql-errors.ts';
export { openPostgresDriver, type PostgresDriverOptions } from './postgres-driver.ts';
export {
  openPostgresRegistry,
  openRegistry,
  openSqliteRegistry,
  type RegistryOptions,
} from './registry.ts';
export { openSqliteDriver, SQLITE_BUSY_TIMEOUT_MS } from './sqlite-driver.ts';
export { migrate, SCHEMA_VERSION } from './migrations.ts';
export { verifyCredential, stampOf } from './secrets.ts';
export { MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS, normaliseEmail } from './accounts.ts';
export {
  API_KEY_DEFAULT_BYTES_PER_DAY,
  API_KEY_DEFAULT_PER_MINUTE,
  API_KEY_PREFIX,
} from './api-keys.ts';
export { RegistryView, VIEW_POLL_MS, type RegistryViewOptions } from './view.ts';
export { refreshingDevices } from './refreshing.ts';
