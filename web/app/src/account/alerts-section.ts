import { z } from 'zod';
import { el, replaceChildren } from '../dom.ts';
import { enc, request } from '../http.ts';
import type { I18n } from '../i18n/index.ts';
import { errorBox } from '../shell.ts';
import type { Me } from './account-api.ts';

/** The signed-in account's alerts and its organisations': what each watches, pause, delete. */
const AlertSchema = z
  .object({
    id: z.string(),
    owner: z.object({ kind: z.enum(['account', 'org']), id: z.string() }),
    paused: z.boolean(),
    kind: z.string(),
    target: z.object({
      deviceId: z.string().optional(),
      orgId: z.string().optional(),
      area: z.object({ county: z.string().optional(), radiusKm: z.number().optional() }).optional(),
    }),
    thresholdUgM3: z.number().nullable().optional(),
    category: z.string().nullable().optional(),
    offlineAfterMinutes: z.number().nullable().optional(),
  })
  .passthrough();
type Alert = z.output<typeof AlertSchema>;

const change = (method: string, csrf: string, body?: unknown): RequestInit => ({
  method,
  credentials: 'same-origin',
  headers: {
    'x-csrf-token': csrf,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

function targetText(i18n: I18n, a: Alert): string {
  const t = a.target;
  if (t.deviceId !== undefined) return t.deviceId;
  if (t.orgId !== undefined) return i18n.t('alertTargetOrg');
  return t.area?.county ?? i18n.t('alertTargetCircle', { km: t.area?.radiusKm ?? '' });
}

function whatText(i18n: I18n, a: Alert): string {
  if (a.kind === 'threshold') return i18n.t('alertWhatThreshold', { ugm3: a.thresholdUgM3 ?? '' });
  if (a.kind === 'category') return i18n.t('alertWhatCategory', { category: a.category ?? '' });
  return i18n.t('alertWhatOffline', { minutes: a.offlineAfterMinutes ?? '' });
}

export function alertsSection(i18n: I18n, me: Me): HTMLElement {
  const list = el('ul', { attrs: { 'data-testid': 'alerts' } });
  const shown = el('div');
  const refresh = async () => {
    const { alerts } = await request(
      '/api/v1/me/alerts',
      z.object({ alerts: z.array(AlertSchema) }),
      { credentials: 'same-origin' },
    );
    replaceChildren(list, ...alerts.map((a) => row(a)));
    if (alerts.length === 0)
      replaceChildren(list, el('li', { class: 'muted' }, i18n.t('noAlerts')));
  };
  const act = (work: Promise<unknown>) =>
    void work
      .then(refresh)
      .catch((error: unknown) => replaceChildren(shown, errorBox(i18n, error)));
  const row = (a: Alert) =>
    el(
      'li',
      { attrs: { 'data-testid': 'alert', 'data-paused': String(a.paused) } },
      `${targetText(i18n, a)} · ${whatText(i18n, a)}${a.paused ? ` · ${i18n.t('alertPaused')}` : ''} `,
      el(
        'button',
        {
          attrs: { type: 'button', 'data-testid': 'alert-pause' },
          on: {
            click: () =>
              act(
                request(
                  `/api/v1/me/alerts/${enc(a.id)}`,
                  z.unknown(),
                  change('PATCH', me.csrfToken, { paused: !a.paused }),
                ),
              ),
          },
        },
        i18n.t(a.paused ? 'alertResume' : 'alertPause'),
      ),
      ' ',
      el(
        'button',
        {
          attrs: { type: 'button', 'data-testid': 'alert-delete' },
          on: {
            click: () =>
              act(fetch(`/api/v1/me/alerts/${enc(a.id)}`, change('DELETE', me.csrfToken))),
          },
        },
        i18n.t('remove'),
      ),
    );
  void refresh().catch((error: unknown) => replaceChildren(shown, errorBox(i18n, error)));
  return el(
    'section',
    { class: 'card' },
    el('h2', {}, i18n.t('alertsTitle')),
    el('p', { class: 'hint' }, i18n.t('alertsHint')),
    list,
    shown,
  );
}
