import { api } from '../api.ts';
import { appLink, el } from '../dom.ts';
import { ApiClientError } from '../http.ts';
import type { I18n } from '../i18n/index.ts';
import type { PageContext } from '../page.ts';
import { pageHeader } from '../shell.ts';
import { accountApi } from './account-api.ts';

/**
 * /sign-in: sign in, or sign up, with an e-mail and a password; then "My boxes". The
 * server answers a wrong password and an unknown e-mail alike; the page shows its message.
 * Where the operator closed sign-up (`airbox serve --signup closed`) the page says who
 * makes accounts instead of showing a form the server would refuse.
 */
export async function render(ctx: PageContext): Promise<void> {
  const { root, i18n } = ctx;
  const status = el('p', {
    class: 'form-status',
    attrs: { role: 'status', 'data-testid': 'status' },
  });
  // Unknown (the config did not load): the form, and the server answers for itself.
  const config = await api.appConfig().catch(() => null);
  const signUp =
    config?.signup === false
      ? [
          el(
            'p',
            { class: 'hint', attrs: { 'data-testid': 'signup-closed' } },
            i18n.t('signupClosed'),
          ),
        ]
      : [el('h2', {}, i18n.t('signUpTitle')), signUpForm(i18n, status)];
  root.append(
    pageHeader(i18n),
    el(
      'main',
      { class: 'account' },
      el('h2', {}, i18n.t('signInTitle')),
      signInForm(i18n, status),
      config?.passwordReset === true
        ? forgotForm(i18n)
        : el('p', { class: 'hint' }, i18n.t('forgotPassword')),
      ...signUp,
      status,
    ),
  );
  ctx.markReady();
}

function field(label: string, name: string, type: string, autocomplete: string): HTMLLabelElement {
  const input = el('input', {
    attrs: { name, type, autocomplete, required: '', 'data-testid': name },
  });
  return el('label', {}, `${label} `, input);
}

function value(form: HTMLFormElement, name: string): string {
  const v = new FormData(form).get(name);
  return typeof v === 'string' ? v : '';
}

/** Sends the form; on success goes to My boxes, else shows the server's message. */
function submitWith(
  i18n: I18n,
  status: HTMLElement,
  send: (form: HTMLFormElement) => Promise<unknown>,
) {
  return (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    status.textContent = i18n.t('loading');
    send(form).then(
      () => window.location.assign(myBoxesHref(i18n)),
      (error: unknown) => {
        const message = error instanceof ApiClientError ? error.message : String(error);
        status.textContent = i18n.t('error', { message });
      },
    );
  };
}

export function myBoxesHref(i18n: I18n): string {
  return appLink('/me', i18n.lang, '').getAttribute('href') ?? '/me';
}

function signInForm(i18n: I18n, status: HTMLElement): HTMLFormElement {
  return el(
    'form',
    {
      class: 'card',
      attrs: { 'data-testid': 'sign-in' },
      on: {
        submit: submitWith(i18n, status, (f) =>
          accountApi.signIn({ email: value(f, 'email'), password: value(f, 'password') }),
        ),
      },
    },
    field(i18n.t('email'), 'email', 'email', 'username'),
    field(i18n.t('password'), 'password', 'password', 'current-password'),
    el('button', { attrs: { type: 'submit' } }, i18n.t('signInButton')),
  );
}

/**
 * "Forgot your password?": where the server mails reset links, the address to send one to.
 * The server answers alike whether an account has it, and so does the page.
 */
function forgotForm(i18n: I18n): HTMLElement {
  const sent = el('p', {
    class: 'form-status',
    attrs: { role: 'status', 'data-testid': 'forgot-status' },
  });
  const form = el(
    'form',
    {
      on: {
        submit: (event: Event) => {
          event.preventDefault();
          sent.textContent = i18n.t('loading');
          accountApi.requestReset(value(event.currentTarget as HTMLFormElement, 'email')).then(
            () => (sent.textContent = i18n.t('resetMailSent')),
            (error: unknown) => {
              const message = error instanceof ApiClientError ? error.message : String(error);
              sent.textContent = i18n.t('error', { message });
            },
          );
        },
      },
    },
    field(i18n.t('email'), 'email', 'email', 'username'),
    el('button', { attrs: { type: 'submit' } }, i18n.t('resetMailSend')),
  );
  return el(
    'details',
    { class: 'card', attrs: { 'data-testid': 'forgot' } },
    el('summary', {}, i18n.t('forgotPasswordMail')),
    form,
    sent,
  );
}

function signUpForm(i18n: I18n, status: HTMLElement): HTMLFormElement {
  return el(
    'form',
    {
      class: 'card',
      attrs: { 'data-testid': 'sign-up' },
      on: {
        submit: submitWith(i18n, status, (f) =>
          accountApi.signUp({
            email: value(f, 'email'),
            password: value(f, 'password'),
            displayName: value(f, 'displayName'),
          }),
        ),
      },
    },
    field(i18n.t('displayName'), 'displayName', 'text', 'nickname'),
    field(i18n.t('email'), 'email', 'email', 'username'),
    field(i18n.t('newPassword'), 'password', 'password', 'new-password'),
    el('p', { class: 'hint' }, i18n.t('passwordRule')),
    el('button', { attrs: { type: 'submit' } }, i18n.t('signUp')),
  );
}
