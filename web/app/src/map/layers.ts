import type { Scale } from '@airbox/aqi';
import { tableInForce } from '@airbox/aqi';
import { COORDINATE_SYSTEM, type Layer } from '@deck.gl/core';
import { HexagonLayer } from '@deck.gl/aggregation-layers';
import { BitmapLayer, ScatterplotLayer } from '@deck.gl/layers';
import { aqiOf, categoryColours, categoryIndex } from '../aqi.ts';
import type { MapPoint } from './state.ts';

/** Below this zoom boxes are aggregated into hexagons (a city is then a few pixels wide). */
export const AGGREGATE_BELOW_ZOOM = 9;
/** More boxes than this in view are aggregated at any zoom: single dots would hide each other. */
export const AGGREGATE_ABOVE_POINTS = 2000;
/** Hexagons about this many pixels across, whatever the zoom. */
const HEX_RADIUS_PX = 18;

export interface LayerInput {
  boxes: MapPoint[];
  stations: MapPoint[];
  aggregate: boolean;
  zoom: number;
  latitude: number;
  scale: Scale;
  nowMs: number;
  surface: { image: HTMLCanvasElement; bounds: [number, number, number, number] } | null;
}

/** Web Mercator metres per pixel at a latitude and zoom (512-px tiles, as MapLibre). */
function metresPerPixel(latitude: number, zoom: number): number {
  return (40_075_016.686 * Math.cos((latitude * Math.PI) / 180)) / (512 * 2 ** zoom);
}

function hexagons(input: LayerInput): Layer {
  const table = tableInForce(input.scale, new Date(input.nowMs));
  const at = new Date(input.nowMs);
  const values = input.boxes.filter((p) => p.pm25UgM3 !== null);
  return new HexagonLayer<MapPoint>({
    id: 'box-hexagons',
    data: values,
    getPosition: (p) => p.position,
    radius: HEX_RADIUS_PX * metresPerPixel(input.latitude, input.zoom),
    coverage: 0.92,
    extruded: false,
    opacity: 0.85,
    // A cell is coloured by the AQI category of the mean of its boxes: getColorValue
    // returns the category index + 0.5, and a 6-step quantize scale over [0, 6] maps it
    // onto the six category colours (deck.gl's own scales know nothing of AQI bands).
    gpuAggregation: false,
    getColorValue: (points: MapPoint[]) => {
      const sum = points.reduce((acc, p) => acc + (p.pm25UgM3 ?? 0), 0);
      const result = aqiOf(sum / Math.max(1, points.length), input.scale, at);
      return result === null ? 0.5 : categoryIndex(result.category) + 0.5;
    },
    colorScaleType: 'quantize',
    colorDomain: [0, 6],
    colorRange: categoryColours(table),
    pickable: true,
    updateTriggers: { getColorValue: [input.scale, input.nowMs] },
  });
}

function boxDots(input: LayerInput): Layer {
  return new ScatterplotLayer<MapPoint>({
    id: 'boxes',
    data: input.boxes,
    getPosition: (p) => p.position,
    getFillColor: (p) => p.colour,
    getRadius: 8,
    radiusUnits: 'pixels',
    stroked: true,
    getLineColor: [255, 255, 255],
    getLineWidth: 1.5,
    lineWidthUnits: 'pixels',
    pickable: true,
  });
}

/** Stations: larger, with a thick dark ring, so they never read as one more box. */
function stationDots(input: LayerInput): Layer {
  return new ScatterplotLayer<MapPoint>({
    id: 'stations',
    data: input.stations,
    getPosition: (p) => p.position,
    getFillColor: (p) => p.colour,
    // Smaller over all of Taiwan, where 77 stations would otherwise hide the hexagons.
    getRadius: input.aggregate ? 6 : 10,
    radiusUnits: 'pixels',
    stroked: true,
    getLineColor: [20, 20, 20],
    getLineWidth: input.aggregate ? 2 : 3.5,
    lineWidthUnits: 'pixels',
    pickable: true,
    updateTriggers: { getRadius: input.aggregate, getLineWidth: input.aggregate },
  });
}

function surfaceLayer(surface: NonNullable<LayerInput['surface']>): Layer {
  return new BitmapLayer({
    id: 'surface',
    image: surface.image,
    bounds: surface.bounds,
    // The grid is regular in degrees, not in Mercator metres: let deck.gl reproject it.
    _imageCoordinateSystem: COORDINATE_SYSTEM.LNGLAT,
    opacity: 0.55,
    pickable: false,
  });
}

/** The layer stack, bottom to top: surface, boxes (dots or hexagons), stations. */
export function buildLayers(input: LayerInput): Layer[] {
  const layers: Layer[] = [];
  if (input.surface !== null) layers.push(surfaceLayer(input.surface));
  layers.push(input.aggregate ? hexagons(input) : boxDots(input));
  if (input.stations.length > 0) layers.push(stationDots(input));
  return layers;
}
