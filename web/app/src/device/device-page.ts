import { FLAGS, isFlagCode } from '@airbox/contracts';
import { api, type Device, type Reading } from '../api.ts';
import { ApiClientError } from '../http.ts';
import { makerApi, type DeviceStatus } from '../maker-api.ts';
import { el, replaceChildren } from '../dom.ts';
import type { I18n, StringKey } from '../i18n/index.ts';
import type { PageContext } from '../page.ts';
import { errorBox, pageHeader } from '../shell.ts';
import { healthCard } from './health-card.ts';
import { ownerSection } from './owner.ts';
import { rawTail } from './raw-tail.ts';

const SEVERITY_KEY: Record<string, StringKey> = {
  info: 'severityInfo',
  suspect: 'severitySuspect',
  unusable: 'severityUnusable',
};

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0
    ? `${d} d ${h} h`
    : h > 0
      ? `${h} h ${m} min`
      : `${m} min ${Math.floor(seconds % 60)} s`;
}

/** A definition list; every value is text. */
function facts(rows: [string, string | null | undefined][]): HTMLElement {
  return el(
    'dl',
    { class: 'facts' },
    ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '—')]),
  );
}

function summary(i18n: I18n, d: Device, status: DeviceStatus | null): HTMLElement {
  const state = d.online ? i18n.t('online') : i18n.t('offlineState');
  const rows: [string, string | null][] = [
    [i18n.t('lastSeen'), `${i18n.dateTime(d.lastSeen)} (${state})`],
    [i18n.t('firmware'), d.firmware],
    [i18n.t('app'), d.app],
    [i18n.t('format'), d.format],
    [
      i18n.t('position'),
      d.lat === null || d.lon === null ? null : `${d.lat.toFixed(5)}, ${d.lon.toFixed(5)}`,
    ],
  ];
  if (status !== null) {
    rows.push([i18n.t('uptime'), status.uptimeS === undefined ? null : duration(status.uptimeS)]);
    rows.push([
      i18n.t('backlog'),
      i18n.t('backlogValue', { count: status.backlog ?? 0, dropped: status.droppedReadings ?? 0 }),
    ]);
    rows.push([i18n.t('lastError'), status.lastError ?? null]);
  }
  return el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'summary' } },
    facts(rows),
    status === null ? el('p', { class: 'muted' }, i18n.t('statusUnavailable')) : null,
  );
}

function flagList(i18n: I18n, latest: Reading): HTMLElement {
  const items = latest.flags.map((code) => {
    const info = isFlagCode(code) ? FLAGS[code] : null;
    return el(
      'li',
      { class: `flag ${info?.severity ?? 'unknown'}` },
      el('code', {}, code),
      info === null
        ? null
        : el(
            'span',
            { class: 'severity' },
            ` ${i18n.t(SEVERITY_KEY[info.severity] ?? 'severityInfo')}: `,
          ),
      info === null ? null : i18n.flagText(code, info.description),
    );
  });
  return el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'flags' } },
    el('h2', {}, i18n.t('qcFlags')),
    items.length === 0 ? el('p', {}, i18n.t('noFlags')) : el('ul', {}, ...items),
  );
}

/** The tail, and the owner's section whose box password opens the tail too. */
function tailAndOwner(i18n: I18n, id: string, maker: boolean): HTMLElement[] {
  const tail = rawTail(i18n, id);
  return [tail.section, ownerSection(i18n, id, maker, (password) => tail.withPassword(password))];
}

const appConfig = () => api.appConfig().catch(() => ({ maker: false, mapStyleUrl: null }));

/** /device/<id>: what a maker needs to look after one box. */
export async function render(ctx: PageContext): Promise<void> {
  const { i18n, id } = ctx;
  const main = el(
    'main',
    { class: 'device' },
    el('h1', { attrs: { 'data-testid': 'device-title' } }, i18n.t('deviceTitle', { id })),
  );
  replaceChildren(ctx.root, pageHeader(i18n), main);
  let device: { device: Device; latest: Reading };
  try {
    device = await api.device(id);
  } catch (error) {
    const unknown = error instanceof ApiClientError && error.code === 'unknown-device';
    if (!unknown) {
      main.append(errorBox(i18n, error));
      ctx.markReady();
      return;
    }
    // Nothing stored yet: what it sends, and (signed in) what was refused, is what its
    // maker needs.
    const config = await appConfig();
    main.append(
      el(
        'p',
        { class: 'error', attrs: { 'data-testid': 'nothing-stored' } },
        i18n.t('nothingStored', { id }),
      ),
      ...tailAndOwner(i18n, id, config.maker),
    );
    ctx.markReady();
    return;
  }
  const [status, config] = await Promise.all([
    makerApi.makerStatus(id).catch(() => null),
    appConfig(),
  ]);
  main.append(
    summary(i18n, device.device, status),
    ...[healthCard(i18n, device.device)].filter((card) => card !== null),
    flagList(i18n, device.latest),
    ...tailAndOwner(i18n, id, config.maker),
  );
  ctx.markReady();
}
