import { api } from '../api.ts';
import { el, replaceChildren, setText } from '../dom.ts';
import type { I18n, StringKey } from '../i18n/index.ts';
import type { PageContext } from '../page.ts';
import { errorBox, pageHeader } from '../shell.ts';
import { archiveSection } from './archive-section.ts';
import { embedSection } from './embed-snippet.ts';

/** Areas a researcher most often wants: [west, south, east, north]. */
const PRESETS: { key: StringKey; bbox: [number, number, number, number] }[] = [
  { key: 'presetTaiwan', bbox: [118.1, 21.8, 122.1, 26.4] },
  { key: 'presetTaipei', bbox: [121.4, 24.95, 121.67, 25.21] },
  { key: 'presetTaichung', bbox: [120.5, 24.05, 120.8, 24.3] },
  { key: 'presetKaohsiung', bbox: [120.2, 22.5, 120.45, 22.8] },
];

/** `datetime-local` value (local time, minutes) for an instant. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function field(label: string, input: HTMLElement): HTMLLabelElement {
  return el('label', { class: 'field' }, el('span', {}, label), input);
}

function select(name: string, options: [string, string][]): HTMLSelectElement {
  return el(
    'select',
    { attrs: { name } },
    ...options.map(([value, label]) => el('option', { attrs: { value } }, label)),
  );
}

/** Where: an area (a preset fills the bbox) or a list of devices, which wins when given. */
function areaFieldset(i18n: I18n, onChange: () => void) {
  const preset = select('preset', [
    ...PRESETS.map((p): [string, string] => [p.bbox.join(','), i18n.t(p.key)]),
    ['', i18n.t('presetCustom')],
  ]);
  const bbox = el('input', {
    attrs: { name: 'bbox', value: PRESETS[0]?.bbox.join(',') ?? '', pattern: '[-0-9., ]+' },
  });
  preset.addEventListener('change', () => {
    if (preset.value !== '') bbox.value = preset.value;
    onChange();
  });
  const devices = el('input', {
    attrs: { name: 'device', placeholder: '74DA38F207DE,EPA-Hengchun' },
  });
  const fieldset = el(
    'fieldset',
    {},
    el('legend', {}, i18n.t('area')),
    field(i18n.t('areaPreset'), preset),
    field(i18n.t('bbox'), bbox),
    field(i18n.t('devices'), devices),
  );
  return { fieldset, bbox, devices };
}

/** When: the last 24 hours until changed, in the browser's local time. */
function timeFieldset(i18n: I18n, nowMs: number) {
  const from = el('input', {
    attrs: { type: 'datetime-local', name: 'from', value: localInput(nowMs - 86_400_000) },
  });
  const to = el('input', {
    attrs: { type: 'datetime-local', name: 'to', value: localInput(nowMs) },
  });
  const fieldset = el(
    'fieldset',
    {},
    el('legend', {}, i18n.t('time')),
    field(i18n.t('from'), from),
    field(i18n.t('to'), to),
  );
  return { fieldset, from, to };
}

/** What: raw readings or hourly/daily means (days in a time zone), as CSV or JSON. */
function outputFieldset(i18n: I18n) {
  const agg = select('agg', [
    ['raw', i18n.t('aggRaw')],
    ['1h', i18n.t('agg1h')],
    ['1d', i18n.t('agg1d')],
  ]);
  const tz = el('input', {
    attrs: { name: 'tz', value: Intl.DateTimeFormat().resolvedOptions().timeZone },
  });
  const format = select('format', [
    ['csv', 'CSV'],
    ['json', 'JSON'],
  ]);
  const fieldset = el(
    'fieldset',
    {},
    field(i18n.t('aggregation'), agg),
    field(i18n.t('timeZone'), tz),
    field(i18n.t('fileFormat'), format),
  );
  return { fieldset, agg, tz, format };
}

type Inputs = ReturnType<typeof areaFieldset> &
  ReturnType<typeof timeFieldset> &
  ReturnType<typeof outputFieldset>;

/** The /api/v1/series URL the inputs describe. */
function requestUrl(i: Inputs): string {
  const iso = (v: string) => (v === '' ? undefined : new Date(v).toISOString());
  const ids = i.devices.value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return api.seriesUrl({
    ...(ids.length > 0 ? { device: ids.join(',') } : { bbox: i.bbox.value.replace(/\s+/g, '') }),
    from: iso(i.from.value),
    to: iso(i.to.value),
    agg: i.agg.value,
    tz: i.agg.value === '1d' ? i.tz.value : undefined,
    format: i.format.value,
  });
}

/** The form: every change rewrites the request URL shown and the download link. */
function requestForm(i18n: I18n, nowMs: number): HTMLFormElement {
  const area = areaFieldset(i18n, () => update());
  const time = timeFieldset(i18n, nowMs);
  const output = outputFieldset(i18n);
  const inputs: Inputs = { ...area, ...time, ...output };
  const urlOut = el('code', { attrs: { 'data-testid': 'request-url' } });
  const link = el(
    'a',
    { class: 'button', attrs: { 'data-testid': 'download-link' } },
    i18n.t('downloadButton'),
  );

  function update(): void {
    const url = requestUrl(inputs);
    setText(urlOut, new URL(url, window.location.origin).href);
    link.href = url;
    if (output.format.value === 'csv') link.setAttribute('download', '');
    else link.removeAttribute('download');
  }

  const form = el(
    'form',
    { class: 'download', attrs: { 'data-testid': 'download-form' } },
    area.fieldset,
    time.fieldset,
    output.fieldset,
    el('p', { class: 'muted' }, i18n.t('columnsNote')),
    el('p', {}, `${i18n.t('requestUrl')}: `, urlOut),
    el('p', {}, link),
  );
  form.addEventListener('input', update);
  form.addEventListener('submit', (e) => e.preventDefault());
  update();
  return form;
}

/** /download: build a /api/v1/series request (area or devices, range, aggregation, format). */
export async function render(ctx: PageContext): Promise<void> {
  const { i18n } = ctx;
  const form = requestForm(i18n, Date.now());
  const models = el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'models' } },
    el('h2', {}, i18n.t('models')),
  );
  const main = el(
    'main',
    { class: 'download-page' },
    el('h1', {}, i18n.t('downloadTitle')),
    form,
    models,
  );
  replaceChildren(ctx.root, pageHeader(i18n), main);

  const [modelList, boxes, archive] = await Promise.all([
    api.models().catch((e: unknown) => e),
    api.devices().catch(() => []),
    archiveSection(i18n),
  ]);
  form.after(archive);
  if (modelList instanceof Error) models.append(errorBox(i18n, modelList));
  else if (Array.isArray(modelList) && modelList.length > 0)
    models.append(el('pre', {}, JSON.stringify(modelList, null, 2)));
  else models.append(el('p', {}, i18n.t('noModels')));
  main.append(
    embedSection(
      i18n,
      boxes.map((b) => b.deviceId),
    ),
  );
  ctx.markReady();
}
