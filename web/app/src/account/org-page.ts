import { appLink, el, replaceChildren, swatch } from '../dom.ts';
import { aqiColour, cssColour, shownPm25 } from '../aqi.ts';
import type { I18n } from '../i18n/index.ts';
import type { PageContext } from '../page.ts';
import { errorBox, pageHeader } from '../shell.ts';
import { accountApi, type Me, type MyDevice } from './account-api.ts';
import { roleText } from './me-sections.ts';

/**
 * /org/:id: an organisation's boxes together — a school's classrooms on one screen, each
 * with its newest PM2.5 in its AQI colour — and its members (admins add more).
 */
export async function render(ctx: PageContext): Promise<void> {
  const { root, i18n, id } = ctx;
  const [me, org] = await Promise.all([accountApi.me(), accountApi.org(id)]);
  const boxes = el(
    'div',
    { class: 'org-boxes', attrs: { 'data-testid': 'org-boxes' } },
    ...org.devices.map((d) => boxTile(i18n, d)),
  );
  const members = el(
    'ul',
    { attrs: { 'data-testid': 'members' } },
    ...org.members.map((m) =>
      el('li', {}, `${m.displayName} <${m.email}> · ${roleText(i18n, m.role)}`),
    ),
  );
  root.append(
    pageHeader(i18n),
    el(
      'main',
      { class: 'account' },
      el('h2', {}, org.name),
      org.devices.length === 0 ? el('p', {}, i18n.t('noBoxesYet')) : boxes,
      el('h3', {}, i18n.t('members')),
      members,
      memberForm(i18n, me, id),
    ),
  );
  ctx.markReady();
}

function boxTile(i18n: I18n, d: MyDevice): HTMLElement {
  const { latest } = d;
  const pm =
    latest === null
      ? null
      : shownPm25(
          {
            pm25UgM3: latest.pm25UgM3 ?? null,
            pm25CalibratedUgM3: latest.pm25CalibratedUgM3 ?? null,
          },
          'calibrated',
        );
  return el(
    'div',
    { class: 'card tile', attrs: { 'data-device': d.deviceId } },
    swatch(cssColour(aqiColour(pm, 'tw', new Date()))),
    el(
      'strong',
      {},
      appLink(`/device/${encodeURIComponent(d.deviceId)}`, i18n.lang, d.name ?? d.deviceId),
    ),
    el(
      'p',
      { class: 'big' },
      pm === null ? i18n.t('noData') : `${i18n.number(pm)} ${i18n.t('ugm3')}`,
    ),
    d.latest === null
      ? null
      : el('p', { class: 'hint' }, i18n.t('updated', { time: i18n.time(d.latest.time) })),
  );
}

function memberForm(i18n: I18n, me: Me, orgId: string): HTMLFormElement {
  const email = el('input', { attrs: { name: 'memberEmail', type: 'email', required: '' } });
  const role = el(
    'select',
    { attrs: { name: 'memberRole' } },
    ...(['viewer', 'member', 'admin', 'owner'] as const).map((r) =>
      el('option', { attrs: { value: r } }, roleText(i18n, r)),
    ),
  );
  const status = el('p', { class: 'form-status' });
  const form = el(
    'form',
    { class: 'inline' },
    el('label', {}, `${i18n.t('email')} `, email),
    role,
    el('button', { attrs: { type: 'submit' } }, i18n.t('addMember')),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    accountApi.addMember(me.csrfToken, orgId, { email: email.value.trim(), role: role.value }).then(
      () => window.location.reload(),
      (error: unknown) => replaceChildren(status, errorBox(i18n, error)),
    );
  });
  return form;
}
