import { api } from '../api.ts';
import { ApiClientError } from '../http.ts';
import { accountApi } from '../account/account-api.ts';
import { makerApi, type OwnerAuth, type RemoteConfig } from '../maker-api.ts';
import { el, replaceChildren } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';
import { errorBox } from '../shell.ts';

/** The password is kept for this tab only (sessionStorage), never in localStorage. */
const storageKey = (id: string) => `airbox-owner:${id}`;

function numberField(
  label: string,
  name: string,
  min: number,
  max: number,
  value: unknown,
): HTMLLabelElement {
  const input = el('input', {
    attrs: { type: 'number', name, min: String(min), max: String(max), step: '1' },
  });
  if (typeof value === 'number') input.value = String(value);
  return el('label', {}, `${label} `, input);
}

/** The form's values as a RemoteConfig; empty fields are left out (unchanged on the box). */
function readForm(form: HTMLFormElement): RemoteConfig {
  const data = new FormData(form);
  // Every field of this form is text (no file inputs), so a value is a string or absent.
  const text = (name: string) => {
    const v = data.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const config: RemoteConfig = {};
  const n = (name: string) => (text(name) === '' ? undefined : Number(text(name)));
  const intervalS = n('intervalS');
  const samples = n('samplesPerReport');
  if (intervalS !== undefined) config.intervalS = intervalS;
  if (samples !== undefined) config.samplesPerReport = samples;
  const format = text('format');
  if (format === 'native' || format === 'lass') config.format = format;
  const broker = text('brokerUrl');
  if (broker !== '') config.brokerUrl = broker;
  return config;
}

function credentials(
  i18n: I18n,
  id: string,
  ports: { mqtt?: number | null; ws?: number | null },
  topic: string,
): HTMLElement {
  const host = window.location.hostname;
  const mqttUrl = `mqtt://${host}:${ports.mqtt ?? 1883}`;
  const reading = `airbox/v1/${id}/reading`;
  const example = `mosquitto_pub -h ${host} -p ${ports.mqtt ?? 1883} -q 1 -u '${id}' -P '…' -t '${reading}' -m '{"time":"${new Date().toISOString()}","pm25UgM3":12.3}'`;
  return el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'credentials' } },
    el('h2', {}, i18n.t('credentials')),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, i18n.t('username')),
      el('dd', {}, el('code', {}, id)),
      el('dt', {}, 'MQTT'),
      el(
        'dd',
        {},
        el('code', {}, mqttUrl),
        ports.ws ? el('code', {}, ` ws://${host}:${ports.ws}/mqtt`) : null,
      ),
      el('dt', {}, i18n.t('topics')),
      el(
        'dd',
        {},
        el('code', {}, reading),
        ' ',
        el('code', {}, `airbox/v1/${id}/status`),
        ' ',
        el('code', {}, topic),
      ),
    ),
    el('p', {}, i18n.t('example')),
    el('pre', {}, example),
  );
}

/** The config form, filled with the retained config; submitting publishes the new one. */
function configForm(
  i18n: I18n,
  id: string,
  auth: OwnerAuth,
  config: Record<string, unknown> | null,
): HTMLFormElement {
  const message = el('p', { attrs: { role: 'status' } });
  const form = el(
    'form',
    { class: 'config' },
    numberField(i18n.t('intervalS'), 'intervalS', 1, 86_400, config?.['intervalS']),
    numberField(
      i18n.t('samplesPerReport'),
      'samplesPerReport',
      1,
      60,
      config?.['samplesPerReport'],
    ),
    el(
      'label',
      {},
      `${i18n.t('format')} `,
      el(
        'select',
        { attrs: { name: 'format' } },
        el('option', { attrs: { value: '' } }, i18n.t('unset')),
        el('option', { attrs: { value: 'native' } }, 'native'),
        el('option', { attrs: { value: 'lass' } }, 'LASS'),
      ),
    ),
    el(
      'label',
      {},
      `${i18n.t('brokerUrl')} `,
      el('input', { attrs: { name: 'brokerUrl', type: 'url', placeholder: i18n.t('unset') } }),
    ),
    el('button', { attrs: { type: 'submit' } }, i18n.t('publishConfig')),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    makerApi.publishConfig(id, auth, readForm(form)).then(
      (r) => replaceChildren(message, i18n.t('configPublished', { topic: r.topic })),
      (e: unknown) => replaceChildren(message, errorBox(i18n, e)),
    );
  });
  return form;
}

/** Refused messages shown, newest first. */
const REFUSED_SHOWN = 20;
/** Payload text shown of each (the server sends at most 1 KiB of it). */
const REFUSED_TEXT_CHARS = 500;

/** The box's dead letters: they may hold what only its owner should see, so signed in only. */
async function refusedMessages(i18n: I18n, id: string, auth: OwnerAuth): Promise<HTMLElement> {
  const letters = await makerApi.deadLetters(id, auth, REFUSED_SHOWN);
  return el(
    'section',
    { class: 'card', attrs: { 'data-testid': 'refused' } },
    el('h2', {}, i18n.t('refused')),
    letters.length === 0
      ? el('p', {}, i18n.t('refusedNone'))
      : el(
          'ul',
          {},
          ...letters.map((d) =>
            el(
              'li',
              {},
              el('code', {}, d.code),
              ` ${i18n.dateTime(d.receivedAt)} — ${d.reason}`,
              el('pre', {}, d.payloadText.slice(0, REFUSED_TEXT_CHARS)),
            ),
          ),
        ),
  );
}

async function unlocked(i18n: I18n, id: string, auth: OwnerAuth, out: HTMLElement): Promise<void> {
  const [{ config, topic }, health] = await Promise.all([
    makerApi.makerConfig(id, auth),
    api.health().catch(() => ({ ports: undefined })),
  ]);
  const refused = await refusedMessages(i18n, id, auth).catch((e: unknown) => errorBox(i18n, e));
  replaceChildren(
    out,
    el(
      'section',
      { class: 'card' },
      el('h2', {}, i18n.t('config')),
      el('p', { class: 'muted' }, i18n.t('currentConfig')),
      el('pre', {}, JSON.stringify(config ?? {}, null, 2)),
      configForm(i18n, id, auth, config),
    ),
    refused,
    credentials(i18n, id, health.ports ?? {}, topic),
  );
}

/**
 * Its owner signed in, or unlocked with the box's password: edit its retained config, see
 * its refused messages and how to connect.
 */
export function ownerSection(
  i18n: I18n,
  id: string,
  available: boolean,
  onPassword: (password: string) => void = () => {},
): HTMLElement {
  const section = el(
    'section',
    { class: 'card owner', attrs: { 'data-testid': 'owner' } },
    el('h2', {}, i18n.t('owner')),
  );
  if (!available) {
    section.append(el('p', { class: 'muted' }, i18n.t('makerUnavailable')));
    return section;
  }
  const out = el('div');
  const password = el('input', {
    attrs: { type: 'password', autocomplete: 'current-password', name: 'password' },
  });
  const form = el(
    'form',
    {},
    el('p', { class: 'muted' }, i18n.t('ownerHelp')),
    el('label', {}, `${i18n.t('password')} `, password),
    el('button', { attrs: { type: 'submit' } }, i18n.t('signIn')),
  );
  const tryUnlock = (secret: string) =>
    unlocked(i18n, id, { password: secret }, out).then(
      () => {
        sessionStorage.setItem(storageKey(id), secret);
        onPassword(secret);
        form.remove();
      },
      (e: unknown) => {
        sessionStorage.removeItem(storageKey(id));
        const wrong = e instanceof ApiClientError && e.status === 401;
        replaceChildren(
          out,
          wrong ? el('p', { class: 'error' }, i18n.t('badPassword')) : errorBox(i18n, e),
        );
      },
    );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void tryUnlock(password.value);
  });
  section.append(form, out);
  const saved = sessionStorage.getItem(storageKey(id));
  // Signed in as the box's owner: open without the password; else the form (or the saved one).
  void accountApi.me().then(
    (me) =>
      unlocked(i18n, id, { csrfToken: me.csrfToken }, out).then(
        () => form.remove(),
        () => (saved === null ? replaceChildren(out) : tryUnlock(saved)),
      ),
    () => (saved === null ? undefined : tryUnlock(saved)),
  );
  return section;
}
