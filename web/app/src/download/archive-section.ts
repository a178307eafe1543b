import { api, type ArchiveDay, type Dataset } from '../api.ts';
import { el } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';

/** The day's files, by the archive's layout (web/src/archive/layout.ts). */
function parquetUrl(d: ArchiveDay): string {
  return `/archive/v1/date=${d.day}/version=${d.version}/airbox-${d.day}.parquet`;
}

function dayRow(i18n: I18n, d: ArchiveDay): HTMLElement {
  return el(
    'tr',
    { attrs: { 'data-testid': 'archive-day' } },
    el('td', {}, d.day),
    el('td', {}, d.rows.toLocaleString(i18n.lang)),
    el('td', {}, d.devices.toLocaleString(i18n.lang)),
    el(
      'td',
      {},
      el('a', { attrs: { href: parquetUrl(d), download: '' } }, 'Parquet'),
      ' · ',
      el('a', { attrs: { href: d.manifest } }, i18n.t('archiveManifest')),
    ),
  );
}

/** "How to cite": the attribution the licence asks for, with where the data is. */
function citation(i18n: I18n, dataset: Dataset): HTMLElement {
  const year = new Date().getFullYear();
  const text = `${dataset.publisher.name} (${year}). ${dataset.name} [${i18n.t('dataSet')}]. ${window.location.origin}/download. ${dataset.license}`;
  return el(
    'div',
    { attrs: { 'data-testid': 'citation' } },
    el('h3', {}, i18n.t('howToCite')),
    el(
      'p',
      {},
      i18n.t('dataLicence'),
      ' ',
      el('a', { attrs: { href: dataset.license } }, dataset.license),
    ),
    el('pre', { class: 'citation' }, text),
  );
}

/**
 * The daily archive on the download page: each day's Parquet file and manifest (every box's
 * csv.gz is listed in it), the licence and how to cite the data.
 */
export async function archiveSection(i18n: I18n): Promise<HTMLElement> {
  const section = el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'archive' } },
    el('h2', {}, i18n.t('archiveTitle')),
    el('p', { class: 'muted' }, i18n.t('archiveNote')),
  );
  const [days, dataset] = await Promise.all([
    api.archiveDays().catch(() => [] as ArchiveDay[]),
    api.dataset().catch(() => null),
  ]);
  if (days.length === 0) section.append(el('p', {}, i18n.t('archiveEmpty')));
  else
    section.append(
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', {}, i18n.t('archiveDay')),
            el('th', {}, i18n.t('archiveRows')),
            el('th', {}, i18n.t('archiveBoxes')),
            el('th', {}, i18n.t('archiveFiles')),
          ),
        ),
        el('tbody', {}, ...days.map((d) => dayRow(i18n, d))),
      ),
    );
  if (dataset !== null) section.append(citation(i18n, dataset));
  return section;
}
