export * from './port.ts';
export { isForeignKeyViolation, isUniqueViolation } from './sql-errors.ts';
export { openPostgresDriver, type PostgresDriverOptions } from './postgres-driver.ts';
