import { appLink, el } from './dom.ts';
import { LANGS, urlWithLang, type I18n } from './i18n/index.ts';

/** The header every full page shares: title, navigation, language switch. */
export function pageHeader(i18n: I18n, extra?: Node): HTMLElement {
  const select = el(
    'select',
    { attrs: { 'aria-label': i18n.t('language'), 'data-testid': 'lang' } },
    ...LANGS.map((lang) =>
      el(
        'option',
        { attrs: lang === i18n.lang ? { value: lang, selected: '' } : { value: lang } },
        lang === 'en' ? 'English' : '中文（臺灣）',
      ),
    ),
  );
  select.addEventListener('change', () => {
    const next = LANGS.find((l) => l === select.value);
    if (next !== undefined) window.location.assign(urlWithLang(window.location.href, next));
  });
  return el(
    'header',
    { class: 'top' },
    el('h1', {}, appLink('/', i18n.lang, i18n.t('appTitle'))),
    el(
      'nav',
      {},
      appLink('/', i18n.lang, i18n.t('navMap')),
      appLink('/download', i18n.lang, i18n.t('navDownload')),
      appLink('/me', i18n.lang, i18n.t('navMyBoxes')),
    ),
    extra ?? null,
    el('label', { class: 'lang' }, select),
  );
}

/** A visible error line; the message is text (it may echo input). */
export function errorBox(i18n: I18n, error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return el('p', { class: 'error', attrs: { role: 'alert' } }, i18n.t('error', { message }));
}
