import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { apiWith, MINUTE_MS, reading, type ErrorJson } from './helpers.ts';

const DAY = '2026-11-27T00:00:00Z';
const NEXT_DAY = '2026-11-28T00:00:00Z';
const series = (q: string) => `/api/v1/series?${q}`;
const ok = `from=${DAY}&to=${NEXT_DAY}`;
const SCRIPT = encodeURIComponent('<script>alert(1)</script>');
const manyIds = Array.from({ length: 1001 }, (_, i) => `d${i}`).join(',');

/** url, status, code, what the message must start with (the parameter it names). */
const CASES: [string, number, string, string][] = [
  [
    series(`device=a&from=yesterday&to=${NEXT_DAY}`),
    400,
    'bad-query',
    'from: "yesterday" is not an ISO 8601 time',
  ],
  [
    series(`device=a&from=2026-11-27T00:00:00&to=${NEXT_DAY}`),
    400,
    'bad-query',
    'from: "2026-11-27T00:00:00" is not',
  ],
  [
    series(`device=a&from=2026-02-30T00:00:00Z&to=${NEXT_DAY}`),
    400,
    'bad-query',
    'from: "2026-02-30',
  ],
  [series(`device=a&from=${DAY}`), 400, 'bad-query', 'to: required'],
  [series(`device=a&from=${DAY}&to=${DAY}`), 400, 'bad-query', 'from: `from` must be before `to`'],
  [
    series(`device=a&from=${NEXT_DAY}&to=${DAY}`),
    400,
    'bad-query',
    'from: `from` must be before `to`',
  ],
  [
    series(`device=a&from=2025-01-01T00:00:00Z&to=${DAY}`),
    400,
    'range-too-large',
    'to: from…to spans 695 days',
  ],
  [
    series(`device=a&agg=1d&from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z`),
    400,
    'range-too-large',
    'to: ',
  ],
  [
    series(`device=ghost&${ok}`),
    404,
    'unknown-device',
    'device: no reading was ever stored for "ghost"',
  ],
  [
    series(`bbox=-200,20,122,26&${ok}`),
    400,
    'bad-query',
    'bbox: "-200,20,122,26": west -200 is outside',
  ],
  [
    series(`bbox=120,-95,122,26&${ok}`),
    400,
    'bad-query',
    'bbox: "120,-95,122,26": south -95 is outside',
  ],
  [
    series(`bbox=120,26,122,20&${ok}`),
    400,
    'bad-query',
    'bbox: "120,26,122,20": south 26 is north of',
  ],
  [series(`bbox=120,20,122&${ok}`), 400, 'bad-query', 'bbox: "120,20,122": expected four numbers'],
  [series(`bbox=a,b,c,d&${ok}`), 400, 'bad-query', 'bbox: "a,b,c,d": every value must be a finite'],
  [series(`bbox=1e999,0,1,1&${ok}`), 400, 'bad-query', 'bbox: '],
  [series(`device=a&bbox=120,20,122,26&${ok}`), 400, 'bad-query', 'device: give either'],
  [series(ok), 400, 'bad-query', 'device: give either'],
  [
    series(`device=${SCRIPT}&${ok}`),
    400,
    'bad-query',
    'device: "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" is not a device id',
  ],
  [series(`device=${manyIds}&${ok}`), 400, 'bad-query', 'device: at most 1000 devices'],
  [series(`device=a&agg=5m&${ok}`), 400, 'bad-query', 'agg: '],
  [series(`device=a&format=xml&${ok}`), 400, 'bad-query', 'format: '],
  [
    series(`device=a&agg=1d&tz=Mars/Olympus&${ok}`),
    400,
    'bad-query',
    'tz: "Mars/Olympus" is not an IANA time zone',
  ],
  [series(`device=a&agg=1d&tz=${SCRIPT}&${ok}`), 400, 'bad-query', 'tz: "\\u003cscript'],
  ['/api/v1/readings/latest?bbox=0,0,0', 400, 'bad-query', 'bbox: '],
  [`/api/v1/readings/latest?device=${SCRIPT}`, 400, 'bad-query', 'device: "\\u003cscript'],
  ['/api/v1/readings/latest?kind=robot', 400, 'bad-query', 'kind: '],
  ['/api/v1/devices?bbox=1,2,3,4,5', 400, 'bad-query', 'bbox: '],
  ['/api/v1/dead-letters?limit=0', 400, 'bad-query', 'limit: '],
  ['/api/v1/dead-letters?since=last-week', 400, 'bad-query', 'since: "last-week" is not'],
  ['/api/v1/surface?bbox=120,21,122,26&method=magic', 400, 'bad-query', 'method: '],
  ['/api/v1/surface?bbox=120,21,122,26&size=100000', 400, 'bad-query', 'size: '],
  ['/api/v1/surface?bbox=120,21', 400, 'bad-query', 'bbox: "120,21": expected four numbers'],
  [`/api/v1/live.sse?since=${SCRIPT}`, 400, 'bad-query', 'since: "\\u003cscript'],
  [`/api/v1/${SCRIPT}`, 404, 'not-found', 'no route GET "/api/v1/%3Cscript'],
];

describe('bad input', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    ({ app } = await apiWith([reading('a', Date.parse(DAY) + MINUTE_MS)]));
  });

  it.each(CASES)('%s → %i %s', async (url, status, code, message) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/json');
    const body = res.json<ErrorJson>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(code);
    expect(body.error.message.startsWith(message), body.error.message).toBe(true);
    expect(res.body).not.toMatch(/<script/i);
  });

  it('names every bad parameter of one request at once', async () => {
    const res = await app.inject(series('device=a/b&from=yesterday&agg=2h'));
    const { message } = res.json<ErrorJson>().error;
    for (const name of ['device:', 'from:', 'to:', 'agg:']) expect(message).toContain(name);
  });

  it('lets a real time through once it is well formed', async () => {
    const res = await app.inject(
      series(`device=a&from=2026-11-27T08:00:00%2B08:00&to=${NEXT_DAY}`),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ from: '2026-11-27T00:00:00.000Z' });
  });
});
