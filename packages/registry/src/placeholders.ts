/**
 * The stores write `?` placeholders (SQLite's); PostgreSQL numbers them: `$1`, `$2`, …
 * A `?` in a string literal, a quoted identifier, a dollar-quoted body or a comment is text
 * and stays (PostgreSQL manual, 4.1 Lexical Structure). PostgreSQL's own `?` operators
 * (jsonb `?`, `?|`, `?&`) cannot be written through this driver: the stores use none.
 */
export function numberPlaceholders(sql: string): { text: string; count: number } {
  let out = '';
  let count = 0;
  let i = 0;
  while (i < sql.length) {
    const end = skipQuotedOrComment(sql, i);
    if (end > i) {
      out += sql.slice(i, end);
      i = end;
    } else if (sql[i] === '?') {
      out += `$${++count}`;
      i++;
    } else {
      out += sql[i];
      i++;
    }
  }
  return { text: out, count };
}

/** Where the literal, identifier or comment starting at `i` ends; `i` itself when none starts there. */
function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === "'") return skipQuoted(sql, i, "'", isEscapeString(sql, i));
  if (c === '"') return skipQuoted(sql, i, '"', false);
  if (c === '-' && next === '-') {
    const nl = sql.indexOf('\n', i);
    return nl < 0 ? sql.length : nl + 1;
  }
  if (c === '/' && next === '*') return skipBlockComment(sql, i);
  if (c === '$') return skipDollarQuoted(sql, i);
  return i;
}

/** E'…' strings take backslash escapes (4.1.2.2); a plain '…' doubles its quote to escape it. */
function isEscapeString(sql: string, quoteAt: number): boolean {
  const prefix = sql[quoteAt - 1];
  return (prefix === 'E' || prefix === 'e') && !isIdentifierChar(sql[quoteAt - 2]);
}

function skipQuoted(sql: string, i: number, quote: string, backslashes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    if (backslashes && sql[j] === '\\') j += 2;
    else if (sql[j] === quote && sql[j + 1] === quote) j += 2;
    else if (sql[j] === quote) return j + 1;
    else j++;
  }
  return sql.length;
}

/** Block comments nest in PostgreSQL (4.1.5), unlike in C. */
function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) {
      depth++;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return sql.length;
}

/** $$…$$ or $tag$…$tag$ (4.1.2.4); `$1` is a parameter and `a$b` an identifier, neither a quote. */
function skipDollarQuoted(sql: string, i: number): number {
  if (isIdentifierChar(sql[i - 1])) return i;
  const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
  if (tag === null) return i;
  const close = sql.indexOf(tag[0], i + tag[0].length);
  return close < 0 ? sql.length : close + tag[0].length;
}

function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}
