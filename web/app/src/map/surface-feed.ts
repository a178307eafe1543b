import { api, type SurfaceGrid } from '../api.ts';
import { ApiClientError } from '../http.ts';
import { TAIWAN_BBOX } from '../geo.ts';

/** The server recomputes the surface as readings arrive; fetch it this often while shown. */
const SURFACE_REFRESH_MS = 60_000;
const SURFACE_CELLS = 128;

export interface SurfaceFeed {
  /** Fetches now and every minute. */
  show(): Promise<void>;
  hide(): void;
  /** The newest grid while shown; the map layer paints it in the scale's colours. */
  grid(): SurfaceGrid | null;
}

/**
 * /api/v1/surface as a grid. A server without the surface module (404 `not-available`), or
 * one whose answer we cannot read, turns the toggle off for good via `onUnavailable`.
 */
export function createSurfaceFeed(onUpdate: () => void, onUnavailable: () => void): SurfaceFeed {
  let grid: SurfaceGrid | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const fetchOnce = async () => {
    try {
      grid = await api.surface(TAIWAN_BBOX, SURFACE_CELLS);
    } catch (error) {
      grid = null;
      const unusable =
        error instanceof ApiClientError && ['not-available', 'bad-answer'].includes(error.code);
      if (unusable) hide();
      if (unusable) onUnavailable();
    }
    onUpdate();
  };
  function hide(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
    grid = null;
  }
  return {
    show: async () => {
      if (timer !== null) clearInterval(timer);
      timer = setInterval(() => void fetchOnce(), SURFACE_REFRESH_MS);
      await fetchOnce();
    },
    hide,
    grid: () => grid,
  };
}
