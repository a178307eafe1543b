import { CalibrationError } from './errors.ts';

/**
 * One CSV line into cells (RFC 4180 quoting: "a,b" and "" for a quote). A quoted field may
 * not span lines: calibration files are tables of numbers and site ids.
 */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/** Cells that mean "no value" in the exports we read (R writes NA, pandas NaN, LASS "N/A"). */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null']);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads named cells of one row, with errors that name the file, line and column. */
export class Row {
  readonly source: string;
  readonly line: number;
  private readonly cells: string[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(source: string, line: number, cells: string[], index: ReadonlyMap<string, number>) {
    this.source = source;
    this.line = line;
    this.cells = cells;
    this.index = index;
  }

  text(column: string): string {
    return this.cells[this.index.get(column) ?? -1] ?? '';
  }

  /** A number, or null for a missing-value cell; anything else is an error. */
  number(column: string): number | null {
    const cell = this.text(column);
    if (MISSING.has(cell.toLowerCase())) return null;
    if (!DECIMAL.test(cell)) {
      throw new CalibrationError(
        'non-numeric-cell',
        `${this.where()}, column ${column}: "${cell}" is not a number; write a decimal ` +
          'number, or leave the cell empty for a missing value',
      );
    }
    return Number(cell);
  }

  where(): string {
    return `${this.source}, line ${this.line}`;
  }
}
