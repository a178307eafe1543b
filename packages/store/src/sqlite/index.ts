export { SqliteStore, openSqliteStore, DEFAULT_MAX_DEAD_LETTERS } from './store.ts';
export type { SqliteStoreOptions } from './store.ts';
export { SqliteStoreError, type SqliteStoreErrorCode } from './errors.ts';
export { SCHEMA_VERSION } from './schema.ts';
export type { SynchronousMode } from './open.ts';
