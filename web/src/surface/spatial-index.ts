/**
 * A static 2-d tree over the projected points (implicit: node = a range of `order`, split
 * at its median on the wider axis; Bentley 1975, CACM 18:509), for k-nearest and radius
 * queries. Boxes cluster in cities — thousands within a few km of Taipei — which a uniform
 * bucket grid handles badly; a median-split tree does not care about density.
 */
export interface SpatialIndex {
  xM: Float64Array;
  yM: Float64Array;
  /** Point ids in tree order. */
  order: Int32Array;
  /** Split axis (0 = x, 1 = y) of the node whose median sits at this position of `order`. */
  axis: Uint8Array;
}

/** Ranges this short are scanned, not split. */
const LEAF = 8;

const coord = (ix: SpatialIndex, i: number, axis: number) =>
  (axis === 0 ? ix.xM[i] : ix.yM[i]) ?? 0;

/** Hoare quickselect: order[lo…hi) partitioned so that order[k] has the k-th coordinate. */
function select(ix: SpatialIndex, lo: number, hi: number, k: number, axis: number): void {
  const o = ix.order;
  let l = lo;
  let r = hi - 1;
  while (l < r) {
    const pivot = coord(ix, o[(l + r) >> 1] ?? 0, axis);
    let i = l;
    let j = r;
    while (i <= j) {
      while (coord(ix, o[i] ?? 0, axis) < pivot) i++;
      while (coord(ix, o[j] ?? 0, axis) > pivot) j--;
      if (i <= j) {
        const t = o[i] ?? 0;
        o[i++] = o[j] ?? 0;
        o[j--] = t;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else return;
  }
}

function build(ix: SpatialIndex, lo: number, hi: number): void {
  if (hi - lo <= LEAF) return;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let s = lo; s < hi; s++) {
    const i = ix.order[s] ?? 0;
    const x = ix.xM[i] ?? 0;
    const y = ix.yM[i] ?? 0;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const axis = x1 - x0 >= y1 - y0 ? 0 : 1;
  const mid = (lo + hi) >> 1;
  select(ix, lo, hi, mid, axis);
  ix.axis[mid] = axis;
  build(ix, lo, mid);
  build(ix, mid + 1, hi);
}

export function buildIndex(xM: Float64Array, yM: Float64Array): SpatialIndex {
  const ix: SpatialIndex = {
    xM,
    yM,
    order: Int32Array.from({ length: xM.length }, (_, i) => i),
    axis: new Uint8Array(xM.length),
  };
  build(ix, 0, xM.length);
  return ix;
}

/** The k nearest points, ascending; reused between queries to spare the allocator. */
export interface Neighbours {
  index: Int32Array;
  d2: Float64Array;
  count: number;
}

export function neighbourBuffer(k: number): Neighbours {
  return { index: new Int32Array(k), d2: new Float64Array(k), count: 0 };
}

/** Inserts (i, d2) into the ascending top-k list if it belongs there. */
export function offer(nb: Neighbours, i: number, d2: number): void {
  const k = nb.index.length;
  if (nb.count === k && d2 >= (nb.d2[k - 1] ?? Infinity)) return;
  let j = nb.count < k ? nb.count++ : k - 1;
  while (j > 0 && (nb.d2[j - 1] ?? 0) > d2) {
    nb.d2[j] = nb.d2[j - 1] ?? 0;
    nb.index[j] = nb.index[j - 1] ?? 0;
    j--;
  }
  nb.d2[j] = d2;
  nb.index[j] = i;
}

interface Query {
  x: number;
  y: number;
  maxD2: number;
  exclude: number;
  nb: Neighbours;
}

function consider(ix: SpatialIndex, q: Query, i: number): void {
  const dx = (ix.xM[i] ?? 0) - q.x;
  const dy = (ix.yM[i] ?? 0) - q.y;
  const d2 = dx * dx + dy * dy;
  if (d2 <= q.maxD2 && i !== q.exclude) offer(q.nb, i, d2);
}

function searchNearest(ix: SpatialIndex, q: Query, lo: number, hi: number): void {
  if (hi - lo <= LEAF) {
    for (let s = lo; s < hi; s++) consider(ix, q, ix.order[s] ?? 0);
    return;
  }
  const mid = (lo + hi) >> 1;
  const i = ix.order[mid] ?? 0;
  const axis = ix.axis[mid] ?? 0;
  const diff = (axis === 0 ? q.x : q.y) - coord(ix, i, axis);
  consider(ix, q, i);
  // No destructuring here: this runs for every node visited and would feed the GC.
  if (diff < 0) searchNearest(ix, q, lo, mid);
  else searchNearest(ix, q, mid + 1, hi);
  const k = q.nb.index.length;
  const bound = q.nb.count === k ? Math.min(q.maxD2, q.nb.d2[k - 1] ?? 0) : q.maxD2;
  if (diff * diff > bound) return;
  if (diff < 0) searchNearest(ix, q, mid + 1, hi);
  else searchNearest(ix, q, lo, mid);
}

/** The k nearest points to (x, y) within maxDistM, skipping point `exclude` (leave-one-out). */
export function nearest(
  ix: SpatialIndex,
  x: number,
  y: number,
  maxDistM: number,
  nb: Neighbours,
  exclude = -1,
): void {
  nb.count = 0;
  searchNearest(ix, { x, y, maxD2: maxDistM * maxDistM, exclude, nb }, 0, ix.order.length);
}

interface RangeQuery {
  x: number;
  y: number;
  r2: number;
  out: number[];
  /** Stop once out holds more than this many (the caller will not use a longer list). */
  limit: number;
}

function searchWithin(ix: SpatialIndex, q: RangeQuery, lo: number, hi: number): void {
  if (q.out.length > q.limit) return;
  if (hi - lo <= LEAF) {
    for (let s = lo; s < hi; s++) {
      const i = ix.order[s] ?? 0;
      const dx = (ix.xM[i] ?? 0) - q.x;
      const dy = (ix.yM[i] ?? 0) - q.y;
      if (dx * dx + dy * dy <= q.r2) q.out.push(i);
    }
    return;
  }
  const mid = (lo + hi) >> 1;
  const i = ix.order[mid] ?? 0;
  const axis = ix.axis[mid] ?? 0;
  const diff = (axis === 0 ? q.x : q.y) - coord(ix, i, axis);
  const dx = (ix.xM[i] ?? 0) - q.x;
  const dy = (ix.yM[i] ?? 0) - q.y;
  if (dx * dx + dy * dy <= q.r2) q.out.push(i);
  if (diff <= 0 || diff * diff <= q.r2) searchWithin(ix, q, lo, mid);
  if (diff >= 0 || diff * diff <= q.r2) searchWithin(ix, q, mid + 1, hi);
}

/**
 * Appends to `out` every point within radiusM of (x, y) — or, when there are more than
 * `limit`, at least limit + 1 of them (then out.length > limit says so).
 */
export function within(
  ix: SpatialIndex,
  x: number,
  y: number,
  radiusM: number,
  out: number[],
  limit = Infinity,
): void {
  searchWithin(ix, { x, y, r2: radiusM * radiusM, out, limit }, 0, ix.order.length);
}
