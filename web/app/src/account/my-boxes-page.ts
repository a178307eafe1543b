import { api } from '../api.ts';
import { appLink, el, replaceChildren } from '../dom.ts';
import { ApiClientError } from '../http.ts';
import type { I18n } from '../i18n/index.ts';
import type { PageContext } from '../page.ts';
import { errorBox, pageHeader } from '../shell.ts';
import { accountApi, type Me, type MyDevice } from './account-api.ts';
import { credentialsCard } from './credentials-card.ts';
import { apiKeysSection, orgsSection } from './me-sections.ts';
import { alertsSection } from './alerts-section.ts';
import { registerForm } from './register-form.ts';

/**
 * /me, "My boxes": the signed-in account's boxes and its organisations' with their newest
 * reading, a form to register one (its credentials shown once), and the account's API keys
 * and organisations. Not signed in: a link to /sign-in.
 */
export async function render(ctx: PageContext): Promise<void> {
  const { root, i18n } = ctx;
  let me: Me;
  try {
    me = await accountApi.me();
  } catch (error) {
    if (!(error instanceof ApiClientError) || error.status !== 401) throw error;
    root.append(
      pageHeader(i18n),
      el(
        'main',
        { class: 'account' },
        el('p', {}, appLink('/sign-in', i18n.lang, i18n.t('signInFirst'))),
      ),
    );
    ctx.markReady();
    return;
  }
  const config = await api.appConfig().catch(() => ({ mapStyleUrl: null }));
  const page = new MyBoxes(ctx.i18n, me);
  root.append(pageHeader(i18n, page.signOutButton()), page.main);
  const picker = page.mountRegister(config.mapStyleUrl);
  picker.start();
  await page.refresh();
  ctx.markReady();
}

class MyBoxes {
  readonly main = el('main', { class: 'account' });
  private readonly list = el('div', { attrs: { 'data-testid': 'my-boxes' } });
  private readonly shown = el('div', { attrs: { 'data-testid': 'shown-once' } });
  private readonly status = el('p', { class: 'form-status', attrs: { role: 'status' } });

  private readonly i18n: I18n;
  private readonly me: Me;

  constructor(i18n: I18n, me: Me) {
    this.i18n = i18n;
    this.me = me;
    this.main.append(
      el('p', {}, i18n.t('signedInAs', { name: me.account.displayName, email: me.account.email })),
      el('h2', {}, i18n.t('myBoxes')),
      this.list,
      this.shown,
      this.status,
    );
  }

  signOutButton(): HTMLButtonElement {
    return el(
      'button',
      {
        attrs: { type: 'button', 'data-testid': 'sign-out' },
        on: {
          click: () =>
            void accountApi
              .signOut(this.me.csrfToken)
              .then(() => window.location.assign('/sign-in')),
        },
      },
      this.i18n.t('signOut'),
    );
  }

  mountRegister(mapStyleUrl: string | null) {
    const { form, picker } = registerForm(this.i18n, this.me, mapStyleUrl, (box) =>
      this.run(async () => {
        const creds = await accountApi.register(this.me.csrfToken, box);
        replaceChildren(this.shown, credentialsCard(this.i18n, creds));
        await this.refresh();
      }),
    );
    this.main.append(
      el('h2', {}, this.i18n.t('registerBox')),
      form,
      alertsSection(this.i18n, this.me),
      apiKeysSection(this.i18n, this.me),
      orgsSection(this.i18n, this.me),
    );
    return picker;
  }

  async refresh(): Promise<void> {
    const devices = await accountApi.myDevices();
    replaceChildren(
      this.list,
      devices.length === 0
        ? el('p', {}, this.i18n.t('noBoxesYet'))
        : el('table', { class: 'boxes' }, ...devices.map((d) => this.row(d))),
    );
  }

  private row(d: MyDevice): HTMLTableRowElement {
    const { i18n } = this;
    const pm = d.latest?.pm25UgM3;
    return el(
      'tr',
      { attrs: { 'data-device': d.deviceId } },
      el('td', {}, appLink(`/device/${encodeURIComponent(d.deviceId)}`, i18n.lang, d.deviceId)),
      el('td', {}, d.name ?? ''),
      el('td', {}, i18n.t(d.visibility === 'private' ? 'private' : 'public')),
      el('td', {}, i18n.t(d.placement === 'indoor' ? 'indoor' : 'outdoor')),
      el(
        'td',
        { attrs: { 'data-testid': 'latest' } },
        d.latest === null
          ? i18n.t('noData')
          : `${pm === null || pm === undefined ? '—' : i18n.number(pm)} ${i18n.t('ugm3')} · ${i18n.dateTime(d.latest.time)}`,
      ),
      el(
        'td',
        {},
        this.button(i18n.t('rotate'), async () => {
          replaceChildren(
            this.shown,
            credentialsCard(i18n, await accountApi.rotate(this.me.csrfToken, d.deviceId)),
          );
        }),
        this.button(i18n.t('remove'), async () => {
          if (!window.confirm(i18n.t('removeConfirm', { id: d.deviceId }))) return;
          await accountApi.remove(this.me.csrfToken, d.deviceId);
        }),
      ),
    );
  }

  private button(text: string, action: () => Promise<void>): HTMLButtonElement {
    return el(
      'button',
      { attrs: { type: 'button' }, on: { click: () => void this.run(action) } },
      text,
    );
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.status.textContent = '';
    try {
      await action();
      await this.refresh();
    } catch (error) {
      replaceChildren(this.status, errorBox(this.i18n, error));
    }
  }
}
