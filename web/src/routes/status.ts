import type { FastifyInstance } from 'fastify';
// `markup`, not `html`: Prettier formats html`…` templates as HTML and would re-wrap the
// one-line table rows.
import { html as markup, trustedHtml } from '@airbox/html';
import { z } from 'zod';
import type { MetricsRegistry } from '../metrics.ts';
import { docSchemas } from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

/** How often createApi's timer samples the metrics, and how often the page reloads. */
export const STATUS_SAMPLE_INTERVAL_MS = 10_000;
/** Samples kept; only the newest ones are compared, the rest bound the ring. */
const SAMPLE_RING = 8;
/** A rate over less than this is mostly noise: two page loads a moment apart. */
const MIN_RATE_WINDOW_MS = 1_000;
const DEAD_LETTERS_SHOWN = 20;

const time = z.iso.datetime();
const StatusDoc = z
  .object({
    time,
    uptimeS: z.number().describe('seconds since the server process started'),
    store: z.enum(['sqlite', 'influxdb']),
    health: z.record(z.string(), z.unknown()).describe('what /healthz adds (ports …)'),
    rateWindowS: z
      .number()
      .nullable()
      .describe('seconds since the sample the rates compare with; null before there is one'),
    metrics: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['counter', 'gauge']),
        help: z.string(),
        value: z.number(),
        ratePerS: z.number().nullable().describe('counters: increase per second; else null'),
      }),
    ),
    deadLetters: z
      .array(z.object({ receivedAt: time, topic: z.string(), code: z.string() }))
      .describe(
        `the ${DEAD_LETTERS_SHOWN} newest: when, where and why (the code); their payload, reason and client are for operators (/api/v1/dead-letters)`,
      ),
    deadLettersError: z.string().nullable().describe('why the store could not list them'),
  })
  .register(docSchemas, { id: 'Status' });
type Status = z.output<typeof StatusDoc>;

interface Sample {
  atMs: number;
  values: Map<string, number>;
}

/**
 * Metric samples for per-second rates of counters. Sampled on every status request and by
 * createApi's timer; a ring of SAMPLE_RING, at most one a MIN_RATE_WINDOW_MS.
 */
export class MetricSampler {
  readonly #metrics: MetricsRegistry;
  readonly #now: () => number;
  readonly #ring: Sample[] = [];

  constructor(metrics: MetricsRegistry, now: () => number) {
    this.#metrics = metrics;
    this.#now = now;
  }

  /** Every metric now, each counter with its rate since the previous sample. */
  sample(): Pick<Status, 'metrics' | 'rateWindowS'> & { atMs: number } {
    const atMs = this.#now();
    const current = this.#metrics.snapshot();
    const previous = this.#ring.findLast((s) => atMs - s.atMs >= MIN_RATE_WINDOW_MS);
    const newest = this.#ring.at(-1);
    if (newest === undefined || atMs - newest.atMs >= MIN_RATE_WINDOW_MS) {
      this.#ring.push({ atMs, values: new Map(current.map((m) => [m.name, m.value])) });
      if (this.#ring.length > SAMPLE_RING) this.#ring.shift();
    }
    const windowS = previous === undefined ? null : (atMs - previous.atMs) / 1000;
    const metrics = current.map((m) => {
      const before = previous?.values.get(m.name);
      const increase = before === undefined ? null : m.value - before;
      // A counter that went down was reset (a restarted component): no rate this time.
      const ok = m.type === 'counter' && windowS !== null && increase !== null && increase >= 0;
      return { ...m, ratePerS: ok ? increase / windowS : null };
    });
    return { atMs, metrics, rateWindowS: windowS };
  }
}

/**
 * Samples every STATUS_SAMPLE_INTERVAL_MS so a rate is there when an operator first looks.
 * The timer is unref'd (it never keeps the process up) and stops when the server closes.
 */
export function startStatusSampling(app: FastifyInstance, sampler: MetricSampler): void {
  const timer = setInterval(() => {
    try {
      sampler.sample();
    } catch (error) {
      // A metric that fails to read fails /metrics and /status visibly; here it must not
      // take the server down.
      app.log.warn({ err: error }, 'status: sampling the metrics failed');
    }
  }, STATUS_SAMPLE_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

function formatNumber(n: number | null, digits: number): string {
  return n === null ? '' : n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** `3 d 4 h`, `2 h 5 min`, `4 min 10 s`, `9 s`: the two largest units. */
function formatDuration(seconds: number): string {
  const units = { d: 86_400, h: 3_600, min: 60, s: 1 };
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [unit, size] of Object.entries(units)) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}

const STYLE = trustedHtml(`body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin-bottom:1.5rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:13px}.muted{color:#666}`);

function tables(s: Status) {
  const health = Object.entries(s.health).map(
    ([k, v]) => markup`<tr><th>${k}</th><td><code>${JSON.stringify(v) ?? ''}</code></td></tr>`,
  );
  const metrics = s.metrics.map(
    (m) => markup`<tr><td><code>${m.name}</code></td><td>${m.type}</td>
<td class="n">${formatNumber(m.value, 3)}</td><td class="n">${formatNumber(m.ratePerS, 2)}</td>
<td class="muted">${m.help}</td></tr>`,
  );
  const letters = s.deadLetters.map(
    (d) => markup`<tr><td>${d.receivedAt}</td><td><code>${d.topic}</code></td>
<td><code>${d.code}</code></td></tr>`,
  );
  return {
    health: health.length === 0 ? null : markup`<table>${health}</table>`,
    metrics,
    letters:
      letters.length > 0
        ? markup`<table><thead><tr><th>received (UTC)</th><th>topic</th>
<th>code</th></tr></thead><tbody>${letters}</tbody></table>`
        : s.deadLettersError === null
          ? markup`<p class="muted">none</p>`
          : markup`<p>the store could not list them: ${s.deadLettersError}</p>`,
  };
}

function statusPage(s: Status): string {
  const { health, metrics, letters } = tables(s);
  const refreshS = STATUS_SAMPLE_INTERVAL_MS / 1000;
  const rates =
    s.rateWindowS === null
      ? 'Rates appear from the next sample on.'
      : `Rates over the last ${formatNumber(s.rateWindowS, 1)} s.`;
  return markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${refreshS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AirBox status</title><style>${STYLE}</style></head>
<body><h1>AirBox status</h1>
<p>Up ${formatDuration(s.uptimeS)} · store <b>${s.store}</b> · at ${s.time} ·
reloads every ${refreshS} s · <a href="status.json">status.json</a> · <a href="metrics">/metrics</a></p>
${health}
<h2>Metrics</h2><p class="muted">${rates}</p>
<table><thead><tr><th>metric</th><th>type</th><th>value</th><th>per second</th><th>meaning</th></tr></thead>
<tbody>${metrics}</tbody></table>
<h2>Dead letters, newest ${DEAD_LETTERS_SHOWN}</h2>
<p class="muted">Their payloads and reasons: <code>GET /api/v1/dead-letters</code> with the operator token.</p>
${letters}
</body></html>
`.text;
}

async function deadLetters(
  ctx: RouteContext,
): Promise<Pick<Status, 'deadLetters' | 'deadLettersError'>> {
  try {
    // This page is public: a payload (a password typed into it), the reason (which may quote
    // the payload) and the client id are not shown, and no payload byte is even read.
    const letters = await ctx.options.store.deadLetters({
      limit: DEAD_LETTERS_SHOWN,
      previewBytes: 0,
    });
    // A private box's topic names it: its letters are not listed here at all.
    const { hidden } = ctx.options.publicPolicy();
    const shown = letters.filter(
      (l) => !hidden.has(l.deviceId ?? '') && !l.topic.split('/').some((part) => hidden.has(part)),
    );
    return {
      deadLetters: shown.map(({ receivedAt, topic, code }) => ({ receivedAt, topic, code })),
      deadLettersError: null,
    };
  } catch (error) {
    // The page is for when things go wrong: a store that is down is news, not a 500.
    return { deadLetters: [], deadLettersError: (error as Error).message };
  }
}

async function status(ctx: RouteContext, sampler: MetricSampler): Promise<Status> {
  const { atMs, metrics, rateWindowS } = sampler.sample();
  return {
    time: new Date(atMs).toISOString(),
    uptimeS: Math.round(process.uptime()),
    store: ctx.options.store.kind,
    health: ctx.options.health?.() ?? {},
    rateWindowS,
    metrics,
    ...(await deadLetters(ctx)),
  };
}

/** GET /status (HTML for operators) and /status.json (the same for scripts); no rate limit. */
export function statusRoutes(ctx: RouteContext, sampler: MetricSampler): void {
  getRoute(
    ctx,
    {
      url: '/status',
      tag: 'system',
      summary: 'operator page: uptime, store, every metric with counter rates, newest dead letters',
      description: `Self-contained HTML that reloads every ${STATUS_SAMPLE_INTERVAL_MS / 1000} s.`,
      rateLimited: false,
      responses: { 200: { description: 'the page', media: ['text/html'] } },
    },
    async (_input, _req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        // Nothing on the page loads or runs anything: inline style only.
        .header(
          'Content-Security-Policy',
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )
        .send(statusPage(await status(ctx, sampler))),
  );

  getRoute(
    ctx,
    {
      url: '/status.json',
      tag: 'system',
      summary: 'what /status shows, as JSON for scripts',
      rateLimited: false,
      responses: { 200: { description: 'the status', json: StatusDoc } },
    },
    async (_input, _req, reply) =>
      reply.header('Cache-Control', 'no-store').send(await status(ctx, sampler)),
  );
}
