import type { Scale } from '@airbox/aqi';
import { aqiColour, cssColour, legendRows, scaleLabel } from '../aqi.ts';
import { el, swatch } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';

/**
 * The legend: each category's colour (as the map paints its band: aqiColour), name and PM2.5
 * band, then the two symbols.
 */
export function legend(i18n: I18n, scale: Scale, now: Date, aggregated: boolean): HTMLElement {
  const all = legendRows(scale, now);
  const rows = all.map((row, i) =>
    el(
      'li',
      {},
      swatch(cssColour(aqiColour(row.lowUgM3, scale, now))),
      el('span', { class: 'name' }, i18n.pick(row.category.name)),
      el(
        'span',
        { class: 'range' },
        // The top category has no upper bound: above the table the AQI is capped at 500.
        i === all.length - 1 ? `${row.lowUgM3}+` : `${row.lowUgM3}–${row.highUgM3}`,
      ),
    ),
  );
  return el(
    'section',
    { class: 'legend', attrs: { 'aria-label': i18n.t('legend') } },
    el('h2', {}, `${i18n.t('legend')} · ${scaleLabel(scale, i18n, now)}`),
    el('p', { class: 'unit' }, `${i18n.t('pm25')} ${i18n.t('ugm3')}`),
    el('ul', {}, ...rows),
    el(
      'ul',
      { class: 'symbols' },
      el('li', {}, el('span', { class: 'dot box' }), i18n.t('legendBox')),
      el('li', {}, el('span', { class: 'dot station' }), i18n.t('legendStation')),
    ),
    aggregated ? el('p', { class: 'note' }, i18n.t('legendHex')) : null,
    el('p', { class: 'note' }, i18n.t('uncalibratedNote')),
  );
}
