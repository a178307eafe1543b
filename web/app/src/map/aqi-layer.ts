import { tableInForce, type Scale } from '@airbox/aqi';
import {
  COORDINATE_SYSTEM,
  CompositeLayer,
  type CompositeLayerProps,
  type DefaultProps,
  type Layer,
  type PickingInfo,
  type UpdateParameters,
} from '@deck.gl/core';
import { HexagonLayer } from '@deck.gl/aggregation-layers';
import { BitmapLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { SurfaceGrid } from '../api.ts';
import { aqiColour, aqiPalette, shownPm25, type Rgb, type ValueMode } from '../aqi.ts';
import type { MapPoint } from './state.ts';
import { surfaceImage, type SurfaceImage } from './surface.ts';

/** Below this zoom boxes are aggregated into hexagons (a city is then a few pixels wide). */
export const AGGREGATE_BELOW_ZOOM = 9;
/** More boxes than this in view are aggregated at any zoom: single dots would hide each other. */
export const AGGREGATE_ABOVE_POINTS = 2000;
/** Hexagons about this many pixels across, whatever the zoom. */
const HEX_RADIUS_PX = 18;

/**
 * HEX_RADIUS_PX in metres at this latitude and zoom, as HexagonLayer takes its radius (Web
 * Mercator metres per pixel, 512-px tiles as MapLibre).
 */
export function hexagonRadiusM(latitude: number, zoom: number): number {
  const metresPerPixel =
    (40_075_016.686 * Math.cos((latitude * Math.PI) / 180)) / (512 * 2 ** zoom);
  return HEX_RADIUS_PX * metresPerPixel;
}

/**
 * Properties of AqiLayer (deck.gl's defaultProps give each one's type, range and default):
 *
 * | prop             | type                  | range                          | default        |
 * | ---------------- | --------------------- | ------------------------------ | -------------- |
 * | `boxes`          | `MapPoint[]`          | boxes, drawn as dots or cells  | `[]`           |
 * | `stations`       | `MapPoint[]`          | reference stations             | `[]`           |
 * | `scale`          | `Scale`               | `'tw'` (MOENV) \| `'us'` (EPA) | `'tw'`         |
 * | `values`         | `ValueMode`           | `'calibrated'` \| `'raw'`      | `'calibrated'` |
 * | `now`            | `() => number`        | epoch ms                       | `Date.now`     |
 * | `hexagons`       | `boolean`             | cells instead of dots          | `false`        |
 * | `hexagonRadiusM` | `number`              | ≥ 0 m                          | `1000`         |
 * | `surface`        | `SurfaceGrid \| null` | null: no surface               | `null`         |
 *
 * `now` picks the AQI table in force; `values` which of a point's two values is shown.
 */
type _AqiLayerProps = {
  boxes: readonly MapPoint[];
  stations: readonly MapPoint[];
  scale: Scale;
  values: ValueMode;
  now: () => number;
  hexagons: boolean;
  hexagonRadiusM: number;
  surface: SurfaceGrid | null;
};
export type AqiLayerProps = _AqiLayerProps & CompositeLayerProps;

const defaultProps: DefaultProps<AqiLayerProps> = {
  boxes: { type: 'array', value: [] },
  stations: { type: 'array', value: [] },
  scale: 'tw',
  values: 'calibrated',
  now: { type: 'function', value: () => Date.now() },
  hexagons: false,
  hexagonRadiusM: { type: 'number', value: 1000, min: 0 },
  surface: { type: 'object', value: null, optional: true },
};

/** What each sublayer needs to colour a value, fixed for one render. */
interface Colouring {
  scale: Scale;
  values: ValueMode;
  at: Date;
  /** The table in force: colours change only when it (or scale, values) does. */
  tableId: string;
}

/**
 * A box's colour with an opacity from its confidence (PurpleAir fades doubtful sensors the
 * same way). From one half up — the confidence of a box not judged yet — fully opaque;
 * below, fading to a fifth for a faulty box (0).
 */
function faded(colour: Rgb, p: MapPoint): [number, number, number, number] {
  const opacity = p.confidence >= 0.5 ? 1 : 0.2 + 1.6 * Math.max(0, p.confidence);
  return [...colour, Math.round(255 * opacity)];
}

/** Whether a click picked a hexagon (a cell of boxes) rather than a box or station dot. */
export function pickedHexagon(info: PickingInfo): boolean {
  return info.sourceLayer instanceof HexagonLayer;
}

/**
 * The map's AQI layers, bottom to top: the interpolated surface, the boxes (dots, or hexagons
 * when `hexagons`), the stations. Every sublayer colours a value by asking aqiColour (aqi.ts),
 * so the dots, cells, surface and legend cannot disagree.
 */
export class AqiLayer extends CompositeLayer<_AqiLayerProps> {
  static override layerName = 'AqiLayer';
  static override defaultProps = defaultProps;
  declare state: { surface: SurfaceImage | null; surfaceTableId: string | null };

  override initializeState(): void {
    this.setState({ surface: null, surfaceTableId: null });
  }

  /** Repaints the surface image only when its grid, scale or table in force changes. */
  override updateState(params: UpdateParameters<this>): void {
    super.updateState(params);
    const { props, oldProps } = params;
    const { tableId, at } = this.colouring();
    const changed =
      props.surface !== oldProps.surface ||
      props.scale !== oldProps.scale ||
      tableId !== this.state.surfaceTableId;
    if (!changed) return;
    const surface = props.surface === null ? null : surfaceImage(props.surface, props.scale, at);
    this.setState({ surface, surfaceTableId: tableId });
  }

  override renderLayers(): Layer[] {
    const c = this.colouring();
    const layers: Layer[] = [];
    if (this.state.surface !== null) layers.push(this.surfaceLayer(this.state.surface));
    layers.push(this.props.hexagons ? this.hexagonLayer(c) : this.boxLayer(c));
    if (this.props.stations.length > 0) layers.push(this.stationLayer(c));
    return layers;
  }

  private colouring(): Colouring {
    const { scale, values, now } = this.props;
    const at = new Date(now());
    return { scale, values, at, tableId: tableInForce(scale, at).id };
  }

  /**
   * deck.gl's getSubLayerProps, typed (it returns `any`): the props, with the id prefixed
   * (`aqi-boxes`) and the parent's visibility, picking … as defaults.
   */
  private sub<P extends { id: string }>(props: P): P {
    return this.getSubLayerProps(props) as P;
  }

  private surfaceLayer(surface: SurfaceImage): Layer {
    return new BitmapLayer(
      this.sub({
        id: 'surface',
        image: surface.image,
        bounds: surface.bounds,
        // The grid is regular in degrees, not in Mercator metres: let deck.gl reproject it.
        _imageCoordinateSystem: COORDINATE_SYSTEM.LNGLAT,
        opacity: 0.55,
        pickable: false,
      }),
    );
  }

  private hexagonLayer(c: Colouring): Layer {
    const palette = aqiPalette(c.scale, c.at);
    // A faulty box's value is wrong (confidence 0): it does not colour a cell.
    const valued = this.props.boxes.filter(
      (p) => shownPm25(p, c.values) !== null && p.confidence > 0,
    );
    return new HexagonLayer<MapPoint>(
      this.sub({
        id: 'hexagons',
        data: valued,
        getPosition: (p: MapPoint) => p.position,
        radius: this.props.hexagonRadiusM,
        coverage: 0.92,
        extruded: false,
        opacity: 0.85,
        // A cell is coloured by the AQI colour of the mean of its boxes. deck.gl colours a
        // cell through a scale, not a colour accessor: getColorValue gives the colour's index
        // in the palette + 0.5, and a quantize scale over [0, palette length] maps it back.
        gpuAggregation: false,
        getColorValue: (points: MapPoint[]) => {
          const sum = points.reduce((acc, p) => acc + (shownPm25(p, c.values) ?? 0), 0);
          const colour = aqiColour(sum / Math.max(1, points.length), c.scale, c.at);
          return Math.max(0, paletteIndex(palette, colour)) + 0.5;
        },
        colorScaleType: 'quantize' as const,
        colorDomain: [0, palette.length] as [number, number],
        colorRange: palette,
        pickable: true,
        updateTriggers: { getColorValue: [c.scale, c.values, c.tableId] },
      }),
    );
  }

  private boxLayer(c: Colouring): Layer {
    return new ScatterplotLayer<MapPoint>(
      this.sub({
        id: 'boxes',
        data: this.props.boxes,
        getPosition: (p: MapPoint) => p.position,
        getFillColor: (p: MapPoint) => faded(aqiColour(shownPm25(p, c.values), c.scale, c.at), p),
        getRadius: 8,
        radiusUnits: 'pixels' as const,
        stroked: true,
        getLineColor: [255, 255, 255] as Rgb,
        getLineWidth: 1.5,
        lineWidthUnits: 'pixels' as const,
        pickable: true,
        updateTriggers: { getFillColor: [c.scale, c.values, c.tableId] },
      }),
    );
  }

  /** Stations: larger, with a thick dark ring, so they never read as one more box. */
  private stationLayer(c: Colouring): Layer {
    const { hexagons } = this.props;
    return new ScatterplotLayer<MapPoint>(
      this.sub({
        id: 'stations',
        data: this.props.stations,
        getPosition: (p: MapPoint) => p.position,
        getFillColor: (p: MapPoint) => aqiColour(shownPm25(p, c.values), c.scale, c.at),
        // Smaller over all of Taiwan, where 77 stations would otherwise hide the hexagons.
        getRadius: hexagons ? 6 : 10,
        radiusUnits: 'pixels' as const,
        stroked: true,
        getLineColor: [20, 20, 20] as Rgb,
        getLineWidth: hexagons ? 2 : 3.5,
        lineWidthUnits: 'pixels' as const,
        pickable: true,
        updateTriggers: {
          getFillColor: [c.scale, c.values, c.tableId],
          getRadius: hexagons,
          getLineWidth: hexagons,
        },
      }),
    );
  }
}

/** Where a colour is in the palette; -1 when it is not there. */
function paletteIndex(palette: readonly Rgb[], [r, g, b]: Rgb): number {
  return palette.findIndex(([pr, pg, pb]) => pr === r && pg === g && pb === b);
}
