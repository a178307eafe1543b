import { SCALES, type Scale } from '@airbox/aqi';
import { scaleLabel } from '../aqi.ts';
import { el, setText } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';
import { hourStartIso, HOURS_BACK, type MapSettings } from './state.ts';

export interface Controls {
  element: HTMLElement;
  /** Shows the live state and the count of boxes in view. */
  setStatus(text: string): void;
  setSurfaceAvailable(available: boolean): void;
}

function checkbox(label: string, checked: boolean, testId: string, onChange: (v: boolean) => void) {
  const input = el('input', { attrs: { type: 'checkbox', 'data-testid': testId } });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return { input, label: el('label', { class: 'check' }, input, ` ${label}`) };
}

function radios<T extends string>(
  name: string,
  options: { value: T; label: string }[],
  current: T,
  onChange: (v: T) => void,
): HTMLElement {
  return el(
    'span',
    { class: 'radios' },
    ...options.map((o) => {
      const input = el('input', {
        attrs: { type: 'radio', name, value: o.value, 'data-testid': `${name}-${o.value}` },
      });
      input.checked = o.value === current;
      input.addEventListener('change', () => input.checked && onChange(o.value));
      return el('label', {}, input, ` ${o.label}`);
    }),
  );
}

type OnChange = (patch: Partial<MapSettings>) => void;

/** The AQI scale: each option named with its table now in force. */
function scaleSelect(i18n: I18n, initial: Scale, now: () => number, onChange: OnChange) {
  const select = el(
    'select',
    { attrs: { 'data-testid': 'scale' } },
    ...SCALES.map((s) =>
      el('option', { attrs: { value: s } }, scaleLabel(s, i18n, new Date(now()))),
    ),
  );
  select.value = initial;
  select.addEventListener('change', () => {
    const scale = SCALES.find((s): s is Scale => s === select.value);
    if (scale !== undefined) onChange({ scale });
  });
  return select;
}

/**
 * The 24-hour slider and the hour it shows. It runs from 24 h ago (left) to now (right);
 * its value is hours back, negated. The label follows while it is dragged; the map on release.
 */
function timeSlider(i18n: I18n, initial: number, now: () => number, onChange: OnChange) {
  const slider = el('input', {
    attrs: { type: 'range', min: String(-HOURS_BACK), max: '0', step: '1', 'data-testid': 'time' },
  });
  slider.value = String(-initial);
  const timeLabel = el('output', { class: 'time-label' });
  const showTime = (hoursAgo: number) =>
    setText(
      timeLabel,
      hoursAgo === 0
        ? i18n.t('timeNow')
        : i18n.t('timeHoursAgo', {
            hours: hoursAgo,
            time: i18n.time(hourStartIso(now(), hoursAgo)),
          }),
    );
  showTime(initial);
  slider.addEventListener('input', () => showTime(-Number(slider.value)));
  slider.addEventListener('change', () => onChange({ hoursAgo: -Number(slider.value) }));
  return el('label', { class: 'slider' }, `${i18n.t('time')} `, slider, timeLabel);
}

/** Raw or calibrated values, and the layers: stations, surface, indoor boxes. */
function valueAndLayerInputs(i18n: I18n, initial: MapSettings, onChange: OnChange) {
  const mode = radios(
    'mode',
    [
      { value: 'calibrated', label: i18n.t('calibrated') },
      { value: 'raw', label: i18n.t('raw') },
    ],
    initial.mode,
    (v) => onChange({ mode: v }),
  );
  const stations = checkbox(i18n.t('showStations'), initial.showStations, 'stations', (v) =>
    onChange({ showStations: v }),
  );
  const surface = checkbox(i18n.t('showSurface'), initial.showSurface, 'surface', (v) =>
    onChange({ showSurface: v }),
  );
  const indoor = checkbox(i18n.t('showIndoor'), initial.showIndoor, 'indoor', (v) =>
    onChange({ showIndoor: v }),
  );
  return { mode, stations, surface, indoor };
}

/** The map's settings panel: scale, raw/calibrated, layers, and the 24-hour time slider. */
export function createControls(
  i18n: I18n,
  initial: MapSettings,
  now: () => number,
  onChange: OnChange,
): Controls {
  const scale = scaleSelect(i18n, initial.scale, now, onChange);
  const { mode, stations, surface, indoor } = valueAndLayerInputs(i18n, initial, onChange);
  const slider = timeSlider(i18n, initial.hoursAgo, now, onChange);
  const status = el('p', { class: 'status', attrs: { 'data-testid': 'status' } });
  const surfaceNote = el('span', { class: 'note' });
  const element = el(
    'section',
    { class: 'controls', attrs: { 'aria-label': i18n.t('mapControls') } },
    el('label', {}, `${i18n.t('scale')} `, scale),
    el('div', {}, `${i18n.t('values')}: `, mode),
    stations.label,
    el('div', {}, surface.label, surfaceNote),
    indoor.label,
    slider,
    status,
  );
  return {
    element,
    setStatus: (text) => setText(status, text),
    setSurfaceAvailable: (available) => {
      surface.input.disabled = !available;
      if (!available) surface.input.checked = false;
      setText(surfaceNote, available ? '' : ` (${i18n.t('surfaceUnavailable')})`);
    },
  };
}
