import { describe, expect, it } from 'vitest';
import { isForeignKeyViolation, isUniqueViolation, openSqliteDriver } from '../src/index.ts';

/** The error a promise rejects with. */
const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );

// PostgreSQL's side (23505) is checked against a real server in postgres-driver.test.ts.
describe('constraint failures as SQLite reports them', () => {
  it('recognises a duplicate unique value, a duplicate primary key and a missing parent', async () => {
    const db = openSqliteDriver(':memory:');
    try {
      await db.run('CREATE TABLE p (id TEXT PRIMARY KEY, email TEXT UNIQUE)');
      await db.run('CREATE TABLE c (p_id TEXT NOT NULL REFERENCES p (id))');
      await db.run("INSERT INTO p VALUES ('a', 'a@example.org')");
      const sameKey = await failure(db.run("INSERT INTO p VALUES ('a', 'b@example.org')"));
      const sameEmail = await failure(db.run("INSERT INTO p VALUES ('b', 'a@example.org')"));
      const orphan = await failure(db.run("INSERT INTO c VALUES ('ghost')"));
      expect([sameKey, sameEmail].map(isUniqueViolation)).toEqual([true, true]);
      expect(isForeignKeyViolation(orphan)).toBe(true);
      expect(isUniqueViolation(orphan)).toBe(false);
      expect(isUniqueViolation(new Error('no code'))).toBe(false);
    } finally {
      await db.close();
    }
  });
});
