import { el, setText } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';

/** The iframe for one box; the id is URL-encoded and the HTML is shown as text to copy. */
export function embedHtml(origin: string, deviceId: string, lang: string): string {
  const src = `${origin}/embed/${encodeURIComponent(deviceId)}?lang=${encodeURIComponent(lang)}`;
  const attr = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe src="${attr(src)}" width="320" height="220" style="border:0" loading="lazy" title="AirBox ${attr(deviceId)}"></iframe>`;
}

/** "Embed a box on your site": pick a box, copy the iframe, see it live. */
export function embedSection(i18n: I18n, deviceIds: string[]): HTMLElement {
  const choose = el(
    'select',
    { attrs: { 'data-testid': 'embed-device' } },
    ...deviceIds.map((id) => el('option', { attrs: { value: id } }, id)),
  );
  const code = el('textarea', {
    attrs: { readonly: '', rows: '3', cols: '80', 'data-testid': 'embed-code' },
  });
  const preview = el('iframe', {
    attrs: { width: '320', height: '220', title: i18n.t('preview'), loading: 'lazy' },
  });
  const update = () => {
    const id = choose.value;
    if (id === '') return;
    code.value = embedHtml(window.location.origin, id, i18n.lang);
    preview.src = `/embed/${encodeURIComponent(id)}?lang=${encodeURIComponent(i18n.lang)}`;
  };
  choose.addEventListener('change', update);
  update();
  const section = el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'embed' } },
    el('h2', {}, i18n.t('embedTitle')),
    el('label', {}, `${i18n.t('embedDevice')} `, choose),
    el('label', { class: 'field' }, el('span', {}, i18n.t('embedCode')), code),
    el('p', {}, i18n.t('preview')),
    deviceIds.length > 0 ? preview : null,
  );
  if (deviceIds.length === 0) setText(code, '');
  return section;
}
