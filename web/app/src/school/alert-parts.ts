import { MOENV_CATEGORIES, US_EPA_CATEGORIES, type CategoryKey, type Scale } from '@airbox/aqi';
import { z } from 'zod';
import { accountApi } from '../account/account-api.ts';
import { el, replaceChildren } from '../dom.ts';
import { ApiClientError, enc, request } from '../http.ts';
import type { I18n } from '../i18n/index.ts';

/**
 * The school page's two alert parts (issue 16): a banner while an area alert holds this box
 * (`GET /api/v1/alerts/active?deviceId=`), and "alert me", which subscribes the signed-in
 * account to this box reaching "unhealthy for sensitive groups", by e-mail.
 */
const ActiveSchema = z.object({
  alerts: z.array(
    z.object({
      label: z.string(),
      kind: z.string(),
      thresholdUgM3: z.number().nullable(),
      category: z.string().nullable(),
      since: z.string(),
    }),
  ),
});

const CATEGORIES = { tw: MOENV_CATEGORIES, us: US_EPA_CATEGORIES } as const;
/** What a school decides recess by: the category from which sensitive pupils stay in. */
const ALERT_CATEGORY: CategoryKey = 'unhealthy-sensitive';

function isCategory(key: string | null): key is CategoryKey {
  return key !== null && key in MOENV_CATEGORIES;
}

/** An empty banner and what fills it; a failed look-up leaves it empty (the page goes on). */
export function alertBanner(i18n: I18n, deviceId: string, scale: Scale) {
  const banner = el('section', {
    class: 'alert-banner',
    attrs: { 'data-testid': 'alert-banner', role: 'alert', hidden: '' },
  });
  const refresh = async () => {
    const { alerts } = await request(
      `/api/v1/alerts/active?deviceId=${enc(deviceId)}`,
      ActiveSchema,
    );
    const lines = alerts.map((a) => {
      const since = i18n.time(Date.parse(a.since));
      if (isCategory(a.category)) {
        const name = i18n.pick(CATEGORIES[scale][a.category].name);
        return i18n.t('alertBannerCategory', { area: a.label, category: name, since });
      }
      return i18n.t('alertBannerThreshold', {
        area: a.label,
        threshold: a.thresholdUgM3 ?? '',
        since,
      });
    });
    replaceChildren(banner, ...lines.map((l) => el('p', {}, l)));
    banner.toggleAttribute('hidden', lines.length === 0);
  };
  return { banner, refresh: () => refresh().catch(() => undefined) };
}

/** The "alert me" button and the line that says what it did. */
export function alertMe(i18n: I18n, deviceId: string, scale: Scale): HTMLElement {
  const status = el('p', { class: 'muted', attrs: { 'data-testid': 'alert-me-status' } });
  const subscribe = async () => {
    let me;
    try {
      me = await accountApi.me();
    } catch (e) {
      if (!(e instanceof ApiClientError) || e.status !== 401) throw e;
      const signIn = el(
        'a',
        { attrs: { href: `/sign-in?lang=${i18n.lang}` } },
        i18n.t('alertMeSignIn'),
      );
      replaceChildren(status, signIn);
      return;
    }
    await accountApi.newAlert(me.csrfToken, {
      target: { deviceId },
      kind: 'category',
      scale,
      category: ALERT_CATEGORY,
      channel: { type: 'email', address: me.account.email },
      locale: i18n.lang === 'en' ? 'en' : 'zh-TW',
    });
    const category = i18n.pick(CATEGORIES[scale][ALERT_CATEGORY].name);
    replaceChildren(status, i18n.t('alertMeDone', { email: me.account.email, category }));
  };
  const button = el(
    'button',
    {
      attrs: { type: 'button', 'data-testid': 'alert-me' },
      on: {
        click: () =>
          void subscribe().catch((e: unknown) =>
            replaceChildren(status, i18n.t('error', { message: (e as Error).message })),
          ),
      },
    },
    i18n.t('alertMe'),
  );
  return el('section', { class: 'alert-me' }, button, status);
}
