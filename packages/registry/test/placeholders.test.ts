import { describe, expect, it } from 'vitest';
import { numberPlaceholders } from '../src/placeholders.ts';

// What the PostgreSQL driver sends for the stores' `?` SQL: only real placeholders numbered.
const cases: [string, string, string, number][] = [
  [
    'plain',
    'SELECT * FROM d WHERE id = ? AND o = ?',
    'SELECT * FROM d WHERE id = $1 AND o = $2',
    2,
  ],
  ['none', 'SELECT 1', 'SELECT 1', 0],
  ['string literal', "SELECT '?' || ?", "SELECT '?' || $1", 1],
  ['doubled quote', "SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , $1", 1],
  ['escape string', "SELECT E'\\'?' , ?", "SELECT E'\\'?' , $1", 1],
  ['quoted identifier', 'SELECT "a?b" FROM t WHERE x = ?', 'SELECT "a?b" FROM t WHERE x = $1', 1],
  ['line comment', 'SELECT ? -- why?\n, ?', 'SELECT $1 -- why?\n, $2', 2],
  ['nested block comment', 'SELECT /* a /* ? */ ? */ ?', 'SELECT /* a /* ? */ ? */ $1', 1],
  ['dollar quote', 'SELECT $$?$$, $t$ ? $t$, ?', 'SELECT $$?$$, $t$ ? $t$, $1', 1],
  ['identifier with $', 'SELECT a$b, ? FROM t', 'SELECT a$b, $1 FROM t', 1],
  ['unterminated string', "SELECT ?, 'oops ?", "SELECT $1, 'oops ?", 1],
  ['IN list', 'DELETE FROM d WHERE id IN (?, ?, ?)', 'DELETE FROM d WHERE id IN ($1, $2, $3)', 3],
];

describe('numberPlaceholders', () => {
  it.each(cases)('%s', (_, sql, text, count) => {
    expect(numberPlaceholders(sql)).toEqual({ text, count });
  });
});
