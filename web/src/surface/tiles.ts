import type { GridGeometry } from './grid.ts';

/**
 * A block of cells that shares one neighbour search. Surfaces are computed tile by tile:
 * one spatial query per tile instead of one per cell, and (for kriging) one matrix
 * factorisation per tile. A tile that its method finds too coarse is split in four, down
 * to single cells, so tiles are large where boxes are sparse and small in cities.
 */
export interface Tile {
  col0: number;
  row0: number;
  cols: number;
  rows: number;
  /** Centre of the block of cell centres, metres. */
  cxM: number;
  cyM: number;
  /** Farthest cell centre from (cxM, cyM). */
  halfDiagM: number;
}

/** The first tiles are this many cells a side; 16 keeps the first query count ~1,000 at 512². */
export const START_TILE_CELLS = 16;

function tileAt(g: GridGeometry, col0: number, row0: number, cols: number, rows: number): Tile {
  const wM = (cols - 1) * g.dxM;
  const hM = (rows - 1) * g.dyM;
  return {
    col0,
    row0,
    cols,
    rows,
    cxM: g.x0M + col0 * g.dxM + wM / 2,
    cyM: g.y0M - row0 * g.dyM - hM / 2,
    halfDiagM: Math.hypot(wM, hM) / 2,
  };
}

/**
 * Visits tiles covering the grid; `visit` returns false to have a tile split (it must
 * accept a single cell). Returns how many tiles were accepted.
 */
export function walkTiles(g: GridGeometry, visit: (t: Tile) => boolean): number {
  const stack: Tile[] = [];
  for (let row0 = 0; row0 < g.height; row0 += START_TILE_CELLS) {
    for (let col0 = 0; col0 < g.width; col0 += START_TILE_CELLS) {
      const cols = Math.min(START_TILE_CELLS, g.width - col0);
      const rows = Math.min(START_TILE_CELLS, g.height - row0);
      stack.push(tileAt(g, col0, row0, cols, rows));
    }
  }
  let accepted = 0;
  for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
    if (visit(t)) {
      accepted++;
      continue;
    }
    if (t.cols === 1 && t.rows === 1)
      throw new Error('walkTiles: a single-cell tile must be accepted');
    const c = Math.ceil(t.cols / 2);
    const r = Math.ceil(t.rows / 2);
    for (const [dc, dr, nc, nr] of [
      [0, 0, c, r],
      [c, 0, t.cols - c, r],
      [0, r, c, t.rows - r],
      [c, r, t.cols - c, t.rows - r],
    ] as const) {
      if (nc > 0 && nr > 0) stack.push(tileAt(g, t.col0 + dc, t.row0 + dr, nc, nr));
    }
  }
  return accepted;
}

/** Cell centre x (metres) of column `col`, and y of row `row`. */
export const cellX = (g: GridGeometry, col: number) => g.x0M + col * g.dxM;
export const cellY = (g: GridGeometry, row: number) => g.y0M - row * g.dyM;
