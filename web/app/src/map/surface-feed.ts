import type { Scale } from '@airbox/aqi';
import { api } from '../api.ts';
import { ApiClientError } from '../http.ts';
import { TAIWAN_BBOX } from '../geo.ts';
import { surfaceImage } from './surface.ts';

/** The server recomputes the surface as readings arrive; fetch it this often while shown. */
const SURFACE_REFRESH_MS = 60_000;
const SURFACE_CELLS = 128;

export type SurfaceImage = ReturnType<typeof surfaceImage>;

export interface SurfaceFeed {
  /** Fetches now and every minute; repaints in `scale`'s colours. */
  show(scale: Scale): Promise<void>;
  hide(): void;
  image(): SurfaceImage | null;
}

/**
 * /api/v1/surface as an image. A server without the surface module (404 `not-available`),
 * or one whose answer we cannot read, turns the toggle off for good via `onUnavailable`.
 */
export function createSurfaceFeed(onUpdate: () => void, onUnavailable: () => void): SurfaceFeed {
  let image: SurfaceImage | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const fetchOnce = async (scale: Scale) => {
    try {
      image = surfaceImage(await api.surface(TAIWAN_BBOX, SURFACE_CELLS), scale, new Date());
    } catch (error) {
      image = null;
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
    image = null;
  }
  return {
    show: async (scale) => {
      if (timer !== null) clearInterval(timer);
      timer = setInterval(() => void fetchOnce(scale), SURFACE_REFRESH_MS);
      await fetchOnce(scale);
    },
    hide,
    image: () => image,
  };
}
