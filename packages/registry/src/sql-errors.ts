/**
 * Constraint failures as both adapters report them, so a store checks once for either:
 * PostgreSQL's SQLSTATE (Appendix A: 23505 unique_violation, 23503 foreign_key_violation) and
 * better-sqlite3's extended result codes (SQLITE_CONSTRAINT_UNIQUE, …_PRIMARYKEY, …_FOREIGNKEY).
 */

const UNIQUE = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const FOREIGN_KEY = new Set(['23503', 'SQLITE_CONSTRAINT_FOREIGNKEY']);

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

/** A write failed because a row with the same unique key (or primary key) is already there. */
export function isUniqueViolation(err: unknown): boolean {
  return UNIQUE.has(codeOf(err) as string);
}

/** A write named a row (an account, an organisation) that does not exist, or one still referred to was deleted. */
export function isForeignKeyViolation(err: unknown): boolean {
  return FOREIGN_KEY.has(codeOf(err) as string);
}
