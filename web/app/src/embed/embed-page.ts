import type { Scale } from '@airbox/aqi';
import { api, type Reading } from '../api.ts';
import { aqiOf, shownPm25, textColourOn } from '../aqi.ts';
import { createChart, type Chart } from '../chart.ts';
import { el, replaceChildren, setText } from '../dom.ts';
import { openLive } from '../live.ts';
import type { PageContext } from '../page.ts';
import { errorBox } from '../shell.ts';

const DAY_MS = 86_400_000;

/** /embed/<id>: a small card for other sites' iframes — value, colour, category, 24 h. */
export async function render(ctx: PageContext): Promise<void> {
  const { i18n, id, params } = ctx;
  const scale: Scale = params.get('scale') === 'us' ? 'us' : 'tw';
  document.documentElement.classList.add('embedded');
  const value = el('span', { class: 'value', attrs: { 'data-testid': 'pm25' } });
  const category = el('span', { class: 'category', attrs: { 'data-testid': 'category' } });
  const time = el('p', { class: 'muted' });
  const chartSlot = el('div', { class: 'chart' });
  const card = el(
    'section',
    { class: 'embed-card', attrs: { 'data-testid': 'level' } },
    el('h1', {}, id),
    el('p', { class: 'big' }, value, ` ${i18n.t('ugm3')} `, category),
    time,
  );
  const more = el(
    'a',
    {
      attrs: { href: `/?lang=${encodeURIComponent(i18n.lang)}`, target: '_blank', rel: 'noopener' },
    },
    i18n.t('embedMore'),
  );
  replaceChildren(ctx.root, el('main', { class: 'embed' }, card, chartSlot, more));

  let latest: Reading;
  try {
    latest = (await api.device(id)).latest;
  } catch (error) {
    replaceChildren(ctx.root, errorBox(i18n, error));
    ctx.markReady();
    return;
  }
  const nowMs = Date.now();
  const rows = await api.rawSeries([id], nowMs - DAY_MS, nowMs + 11 * 60_000);
  const points = rows.map((r) => ({
    timeMs: Date.parse(r.time),
    value: shownPm25(r, 'calibrated'),
  }));
  const window24h = { fromMs: () => Date.now() - DAY_MS, toMs: () => Date.now() };
  const chart: Chart = createChart(
    chartSlot,
    { width: 300, height: 90 },
    [{ label: i18n.t('pm25'), stroke: '#1f4e79', points }],
    '',
    window24h,
  );

  const show = () => {
    const v = shownPm25(latest, 'calibrated');
    const result = aqiOf(v, scale, new Date(latest.time));
    setText(value, v === null ? null : i18n.number(v));
    setText(category, result === null ? '' : i18n.pick(result.category.name));
    const colour = result?.category.colourHex ?? '#8c8c8c';
    card.style.backgroundColor = colour;
    card.style.color = textColourOn(colour);
    setText(time, i18n.t('updated', { time: i18n.dateTime(latest.time) }));
  };
  show();
  openLive({
    deviceIds: [id],
    onReadings: (readings) => {
      for (const r of readings) {
        if (r.time <= latest.time) {
          if (r.time === latest.time && r.deviceId === latest.deviceId) latest = r;
          continue;
        }
        latest = r;
        points.push({ timeMs: Date.parse(r.time), value: shownPm25(r, 'calibrated') });
      }
      show();
      chart.update([{ label: i18n.t('pm25'), stroke: '#1f4e79', points }]);
    },
  });
  ctx.markReady();
}
