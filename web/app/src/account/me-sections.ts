import { appLink, el, replaceChildren } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';
import { errorBox } from '../shell.ts';
import { accountApi, type Me } from './account-api.ts';

/** The account's API keys: make one (shown once), list, revoke. */
export function apiKeysSection(i18n: I18n, me: Me): HTMLElement {
  const list = el('ul', { attrs: { 'data-testid': 'api-keys' } });
  const shown = el('div');
  const refresh = async () => {
    const keys = (await accountApi.apiKeys()).filter((k) => k.revokedAt === null);
    replaceChildren(
      list,
      ...keys.map((k) =>
        el(
          'li',
          {},
          `${k.name} · ${i18n.t('keyQuota', { perMinute: k.perMinute })} `,
          el(
            'button',
            {
              attrs: { type: 'button' },
              on: { click: () => void accountApi.revokeApiKey(me.csrfToken, k.id).then(refresh) },
            },
            i18n.t('revoke'),
          ),
        ),
      ),
    );
  };
  const name = el('input', {
    attrs: { name: 'keyName', type: 'text', required: '', maxlength: '80' },
  });
  const form = el(
    'form',
    { class: 'inline' },
    el('label', {}, `${i18n.t('keyName')} `, name),
    el('button', { attrs: { type: 'submit' } }, i18n.t('newKey')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    accountApi.newApiKey(me.csrfToken, name.value.trim()).then(
      async (k) => {
        replaceChildren(
          shown,
          el(
            'p',
            {},
            i18n.t('keyOnce'),
            ' ',
            el('code', { attrs: { 'data-testid': 'new-key' } }, k.key),
          ),
        );
        await refresh();
      },
      (error: unknown) => replaceChildren(shown, errorBox(i18n, error)),
    );
  });
  void refresh().catch((error: unknown) => replaceChildren(shown, errorBox(i18n, error)));
  return el(
    'section',
    { class: 'card' },
    el('h2', {}, i18n.t('apiKeys')),
    el('p', { class: 'hint' }, i18n.t('apiKeysHint')),
    list,
    form,
    shown,
  );
}

const KINDS = ['school', 'government', 'company', 'community'] as const;

/** The account's organisations (links to each one's page) and a form to found one. */
export function orgsSection(i18n: I18n, me: Me): HTMLElement {
  const name = el('input', {
    attrs: { name: 'orgName', type: 'text', required: '', maxlength: '120' },
  });
  const kind = el(
    'select',
    { attrs: { name: 'orgKind' } },
    ...KINDS.map((k) => el('option', { attrs: { value: k } }, i18n.t(`orgKind_${k}`))),
  );
  const status = el('p', { class: 'form-status' });
  const form = el(
    'form',
    { class: 'inline' },
    el('label', {}, `${i18n.t('orgName')} `, name),
    kind,
    el('button', { attrs: { type: 'submit' } }, i18n.t('newOrg')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    accountApi.newOrg(me.csrfToken, { name: name.value.trim(), kind: kind.value }).then(
      (org) =>
        window.location.assign(
          appLink(`/org/${encodeURIComponent(org.id)}`, i18n.lang, '').getAttribute('href') ??
            '/me',
        ),
      (error: unknown) => replaceChildren(status, errorBox(i18n, error)),
    );
  });
  return el(
    'section',
    { class: 'card' },
    el('h2', {}, i18n.t('organisations')),
    el(
      'ul',
      {},
      ...me.organisations.map((o) =>
        el(
          'li',
          {},
          appLink(`/org/${encodeURIComponent(o.id)}`, i18n.lang, o.name),
          ` · ${roleText(i18n, o.role)}`,
        ),
      ),
    ),
    form,
    status,
  );
}

const ROLE_KEYS = {
  owner: 'role_owner',
  admin: 'role_admin',
  member: 'role_member',
  viewer: 'role_viewer',
} as const;

/** A member's role in the page's language (a role the app does not know, as it came). */
export function roleText(i18n: I18n, role: string): string {
  return role in ROLE_KEYS ? i18n.t(ROLE_KEYS[role as keyof typeof ROLE_KEYS]) : role;
}
