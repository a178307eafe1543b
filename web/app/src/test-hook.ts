import type { LiveState } from './live.ts';

/**
 * `window.__airbox`: a small read-only view of the page for browser tests and for anyone
 * debugging in the console (documented in web/README.md, "The app"). Tests use it to know
 * *when* to look, and *where* (a box's pixel position); what they assert they read from the
 * page itself — pixels of the map, text of the DOM.
 */
export interface TestHook {
  page: string;
  /** Resolves once the page has drawn its first data (the map: boxes on screen). */
  ready: Promise<void>;
  /** Boxes drawn as points on the map (0 while aggregated into hexagons). */
  boxCount(): number;
  stationCount(): number;
  /** Where a position is on the page, in CSS pixels from the viewport's top left. */
  project(lon: number, lat: number): [number, number] | null;
  /** The newest point of the open chart: raw and calibrated PM2.5 of the box. */
  lastChartPoint(): { timeMs: number; raw: number | null; calibrated: number | null } | null;
  liveState(): LiveState | 'none';
  /** deck.gl frames drawn so far; a test waits for it to grow after a change. */
  frames(): number;
}

declare global {
  interface Window {
    __airbox?: TestHook;
  }
}

export function installTestHook(page: string): {
  hook: TestHook;
  markReady: () => void;
  markFailed: (error: unknown) => void;
} {
  let markReady: () => void = () => undefined;
  let markFailed: (error: unknown) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  // A page that fails must not leave an unhandled rejection behind when no test waits.
  ready.catch(() => undefined);
  const hook: TestHook = {
    page,
    ready,
    boxCount: () => 0,
    stationCount: () => 0,
    project: () => null,
    lastChartPoint: () => null,
    liveState: () => 'none',
    frames: () => 0,
  };
  window.__airbox = hook;
  return { hook, markReady, markFailed };
}
