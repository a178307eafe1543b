import type { FastifyReply } from 'fastify';
import { capAtomFeed, verifyUnsubscribeToken, UNSUBSCRIBE_KEY_NAME } from '@airbox/alerts';
import { html as markup, type SafeHtml } from '@airbox/html';
import { z } from 'zod';
import { getRoute, type RouteContext } from './define.ts';

/**
 * The public side of alerts: the CAP 1.2 Atom feed of area alerts (/alerts.atom) and the
 * unsubscribe page every message links to. GET shows the page with one button; POST (the
 * button, or a mail client's RFC 8058 one-click POST) stops the subscription — so a link
 * scanner that fetches every URL in a mail does not unsubscribe anyone.
 */

const FEED_ENTRIES = 50;
const TokenQuery = z.object({ token: z.string().max(600) });

export function alertPageRoutes(ctx: RouteContext): void {
  const alerts = ctx.options.alertPages;
  if (alerts === undefined) return;
  getRoute(
    ctx,
    {
      url: '/alerts.atom',
      tag: 'alerts',
      summary: 'public area alerts as Atom, each entry a CAP 1.2 alert',
      description: `The ${FEED_ENTRIES} newest alert and clear messages of area subscriptions (a county or a circle): no box ids, no subscribers.`,
      responses: { 200: { description: 'the feed', media: ['application/atom+xml'] } },
    },
    async (_input, _req, reply) => {
      const rows = await alerts.outbox.listRecentAreas(FEED_ENTRIES);
      const body = capAtomFeed(rows, { publicUrl: alerts.publicUrl, nowMs: ctx.options.now() });
      return reply
        .type('application/atom+xml; charset=utf-8')
        .header('Cache-Control', 'max-age=60')
        .send(body);
    },
  );
  getRoute(
    ctx,
    {
      url: '/alerts/unsubscribe',
      tag: 'alerts',
      summary: 'the unsubscribe page of a message’s link (zh-TW and English)',
      query: TokenQuery,
      responses: {
        200: {
          description: 'a page with one button that stops the subscription',
          media: ['text/html'],
        },
        400: { description: 'the link is not valid', media: ['text/html'] },
      },
    },
    async ({ query }, _req, reply) => {
      const id = await subscriptionOf(ctx, query.token);
      if (id === null) return page(reply, 400, invalidLink());
      return page(reply, 200, confirmForm(query.token));
    },
  );
  ctx.docs.push({
    url: '/alerts/unsubscribe',
    method: 'post',
    tag: 'alerts',
    summary: 'stops the subscription of a signed link (the page’s button; RFC 8058 one-click)',
    query: TokenQuery,
    rateLimited: true,
    responses: {
      200: { description: 'stopped', media: ['text/html'] },
      400: { description: 'the link is not valid', media: ['text/html'] },
      503: { description: 'this server cannot change subscriptions', media: ['text/html'] },
    },
  });
  // The button posts a form, a mail client posts "List-Unsubscribe=One-Click": neither is read.
  ctx.app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 },
    (_req, _body, done) => done(null, {}),
  );
  ctx.app.post('/alerts/unsubscribe', async (req, reply) => {
    const parsed = TokenQuery.safeParse(req.query);
    const id = parsed.success ? await subscriptionOf(ctx, parsed.data.token) : null;
    if (id === null) return page(reply, 400, invalidLink());
    if (alerts.unsubscriber === null) return page(reply, 503, unavailable());
    const found = await alerts.unsubscriber.unsubscribe(id);
    return page(reply, found ? 200 : 400, found ? stopped() : invalidLink());
  });
}

async function subscriptionOf(ctx: RouteContext, token: string): Promise<string | null> {
  const alerts = ctx.options.alertPages!;
  return verifyUnsubscribeToken(await alerts.outbox.serverKey(UNSUBSCRIBE_KEY_NAME), token);
}

function page(reply: FastifyReply, status: number, body: SafeHtml): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .send(
      markup`<!doctype html><html lang="zh-TW"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>AirBox</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}</style></head><body>${body}</body></html>`.toString(),
    );
}

function confirmForm(token: string): SafeHtml {
  const action = `/alerts/unsubscribe?token=${encodeURIComponent(token)}`;
  return markup`<h1>取消訂閱 · Unsubscribe</h1>
<p>按下按鈕後，這個警報將不再寄送訊息給您。</p>
<p lang="en">Press the button and this alert sends you no more messages.</p>
<form method="post" action="${action}"><button type="submit">取消訂閱 · Unsubscribe</button></form>`;
}

function stopped(): SafeHtml {
  return markup`<h1>已取消訂閱 · Unsubscribed</h1>
<p>這個警報已停止，不會再寄送訊息。您可以在「我的設備」重新開啟。</p>
<p lang="en">This alert is stopped and sends no more messages. You can turn it on again under “My boxes”.</p>`;
}

function invalidLink(): SafeHtml {
  return markup`<h1>連結無效 · Invalid link</h1>
<p>這個取消訂閱連結無效，或警報已不存在。</p>
<p lang="en">This unsubscribe link is not valid, or the alert no longer exists.</p>`;
}

function unavailable(): SafeHtml {
  return markup`<h1>暫時無法處理 · Not available</h1>
<p>這台伺服器目前無法變更警報，請稍後再試。</p>
<p lang="en">This server cannot change alerts right now; please try again later.</p>`;
}
