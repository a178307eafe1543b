import type { Scale } from '@airbox/aqi';
import type { SurfaceGrid } from '../api.ts';
import { aqiColour } from '../aqi.ts';

/** Opacity of painted cells (0–255); the layer's own opacity dims it further. */
const CELL_ALPHA = 220;

/** A painted surface and where it lies: [west, south, east, north] in degrees. */
export interface SurfaceImage {
  image: HTMLCanvasElement;
  bounds: [number, number, number, number];
}

/**
 * The surface as an image for deck.gl's BitmapLayer: one pixel per cell, row 0 north, each
 * cell in its AQI colour; masked cells (null: too far from any box, or too uncertain) stay
 * transparent so the map shows through.
 */
export function surfaceImage(grid: SurfaceGrid, scale: Scale, at: Date): SurfaceImage {
  const canvas = document.createElement('canvas');
  canvas.width = grid.width;
  canvas.height = grid.height;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('no 2D canvas for the surface image');
  const pixels = context.createImageData(grid.width, grid.height);
  for (let i = 0; i < grid.width * grid.height; i++) {
    const value = grid.values[i] ?? null;
    if (value === null || !Number.isFinite(value)) continue;
    const [r, g, b] = aqiColour(value, scale, at);
    pixels.data.set([r, g, b, CELL_ALPHA], i * 4);
  }
  context.putImageData(pixels, 0, 0);
  const [west, south, east, north] = grid.bbox;
  return { image: canvas, bounds: [west, south, east, north] };
}
