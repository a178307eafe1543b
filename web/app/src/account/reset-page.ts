import { appLink, el, replaceChildren } from '../dom.ts';
import { ApiClientError } from '../http.ts';
import type { I18n } from '../i18n/index.ts';
import type { PageContext } from '../page.ts';
import { pageHeader } from '../shell.ts';
import { accountApi } from './account-api.ts';

/**
 * /reset-password?token=…: the page of a one-time link an operator made with `airbox account
 * reset-link EMAIL`, or that POST /api/v1/password-resets mailed. A new password, typed
 * twice, is sent with the token; the server ends every session of the account, so the page
 * sends the person to sign in.
 * The token stays in the address (the language switch keeps it); once used it is worthless.
 */
export async function render(ctx: PageContext): Promise<void> {
  const { root, i18n } = ctx;
  const token = ctx.params.get('token') ?? '';
  const body = el('main', { class: 'account' }, el('h2', {}, i18n.t('resetTitle')));
  root.append(pageHeader(i18n), body);
  if (token === '') {
    body.append(
      el('p', { attrs: { role: 'alert', 'data-testid': 'status' } }, i18n.t('resetNoToken')),
      el('p', {}, signInLink(i18n)),
    );
  } else {
    body.append(resetForm(i18n, token, body));
  }
  ctx.markReady();
  return Promise.resolve();
}

function signInLink(i18n: I18n): HTMLAnchorElement {
  const link = appLink('/sign-in', i18n.lang, i18n.t('goSignIn'));
  link.dataset['testid'] = 'go-sign-in';
  return link;
}

function passwordField(label: string, name: string): HTMLLabelElement {
  const input = el('input', {
    attrs: {
      name,
      type: 'password',
      autocomplete: 'new-password',
      required: '',
      'data-testid': name,
    },
  });
  return el('label', {}, `${label} `, input);
}

function resetForm(i18n: I18n, token: string, body: HTMLElement): HTMLFormElement {
  const status = el('p', {
    class: 'form-status',
    attrs: { role: 'status', 'data-testid': 'status' },
  });
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const [password, again] = [data.get('newPassword'), data.get('repeatPassword')];
    if (typeof password !== 'string' || password !== again) {
      status.textContent = i18n.t('passwordsDiffer');
      return;
    }
    status.textContent = i18n.t('loading');
    accountApi.resetPassword({ token, newPassword: password }).then(
      () => replaceChildren(body, el('h2', {}, i18n.t('resetTitle')), done(i18n)),
      (error: unknown) => {
        const message = error instanceof ApiClientError ? error.message : String(error);
        status.textContent = i18n.t('error', { message });
      },
    );
  };
  return el(
    'form',
    { class: 'card', attrs: { 'data-testid': 'reset' }, on: { submit } },
    passwordField(i18n.t('newPassword'), 'newPassword'),
    passwordField(i18n.t('repeatPassword'), 'repeatPassword'),
    el('p', { class: 'hint' }, i18n.t('passwordRule')),
    el('button', { attrs: { type: 'submit' } }, i18n.t('resetButton')),
    status,
  );
}

function done(i18n: I18n): HTMLElement {
  return el(
    'p',
    { attrs: { role: 'status', 'data-testid': 'status' } },
    `${i18n.t('resetDone')} `,
    signInLink(i18n),
  );
}
