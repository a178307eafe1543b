import { describe, expect, it } from 'vitest';
import {
  quietUntil,
  renderMessage,
  unsubscribeToken,
  verifyUnsubscribeToken,
  type AlertEvent,
} from '../src/index.ts';

const LINK = 'https://air.example.org/alerts/unsubscribe?token=t';
const base: AlertEvent = {
  key: 'k',
  subscriptionId: 's',
  type: 'alert',
  kind: 'threshold',
  at: '2026-12-08T06:05:00.000Z',
  deviceIds: ['box-7'],
  targetLabel: 'Box 7',
  valueUgM3: 62.44,
  thresholdUgM3: 35,
  category: null,
};

describe('message texts', () => {
  it.each([
    [
      'alert',
      'threshold',
      'en',
      'PM2.5 alert: Box 7 at 62.4 µg/m³',
      'above your threshold of 35 µg/m³, since 2026-12-08 14:05 (Taiwan time)',
    ],
    [
      'alert',
      'threshold',
      'zh-TW',
      'PM2.5 警報：Box 7 62.4 µg/m³',
      '自 2026-12-08 14:05 (台灣時間) 起為 62.4 µg/m³，高於您設定的門檻 35 µg/m³',
    ],
    [
      'clear',
      'threshold',
      'en',
      'All clear: Box 7',
      'back down to 62.4 µg/m³ (threshold 35 µg/m³)',
    ],
    ['clear', 'threshold', 'zh-TW', '警報解除：Box 7', '降至 62.4 µg/m³'],
    [
      'offline',
      'offline',
      'en',
      'Box offline: Box 7',
      'has sent no reading since 2026-12-08 14:05',
    ],
    [
      'offline',
      'offline',
      'zh-TW',
      '設備離線：Box 7',
      '自 2026-12-08 14:05 (台灣時間) 起沒有傳送資料',
    ],
    ['online', 'offline', 'en', 'Back online: Box 7', 'sending readings again'],
    ['online', 'offline', 'zh-TW', '設備恢復上線：Box 7', '恢復傳送資料'],
    ['test', 'threshold', 'en', 'AirBox test message: Box 7', 'delivery works'],
    ['test', 'threshold', 'zh-TW', 'AirBox 測試訊息：Box 7', '通知管道正常'],
    ['digest', 'digest', 'en', 'Daily air summary: Box 7', 'PM2.5 averaged 62.4 µg/m³'],
    ['digest', 'digest', 'zh-TW', '每日空氣摘要：Box 7', '今日 PM2.5 平均 62.4 µg/m³'],
  ] as const)('%s (%s) in %s', (type, kind, locale, subject, inText) => {
    const m = renderMessage({ ...base, type, kind }, locale, LINK);
    expect(m.subject).toBe(subject);
    expect(m.text).toContain(inText);
    expect(m.text.endsWith(LINK)).toBe(true);
  });

  it('names the AQI category of a category alert', () => {
    const m = renderMessage(
      { ...base, kind: 'category', category: '對敏感族群不健康' },
      'zh-TW',
      LINK,
    );
    expect(m.subject).toBe('空氣品質通知：Box 7「對敏感族群不健康」');
  });

  it('groups many quiet boxes into one message listing the first 20', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `box-${i}`);
    const m = renderMessage(
      { ...base, type: 'offline', kind: 'offline', deviceIds: ids, targetLabel: '中山國小' },
      'en',
      LINK,
    );
    expect(m.subject).toBe('300 boxes offline: 中山國小');
    expect(m.text).toContain('- box-19\n… and 280 more');
    expect(m.text).not.toContain('box-20\n');
  });
});

describe('quiet hours', () => {
  const night = { from: '22:00', to: '07:00', timeZone: 'Asia/Taipei' };
  it.each([
    ['2026-12-08T13:59:00Z', null], // 21:59 Taipei
    ['2026-12-08T14:00:00Z', '2026-12-08T23:00:00.000Z'], // 22:00 → 07:00
    ['2026-12-08T20:30:00Z', '2026-12-08T23:00:00.000Z'], // 04:30
    ['2026-12-08T23:00:00Z', null], // 07:00
  ])('at %s holds until %s', (at, until) => {
    const r = quietUntil(night, Date.parse(at));
    expect(r === null ? null : new Date(r).toISOString()).toBe(until);
  });

  it('ignores quiet hours it cannot read rather than hold messages forever', () => {
    expect(quietUntil({ from: '25:00', to: 'x', timeZone: 'Asia/Taipei' }, Date.now())).toBeNull();
    expect(
      quietUntil({ from: '22:00', to: '07:00', timeZone: 'Mars/Olympus' }, Date.now()),
    ).toBeNull();
  });
});

describe('unsubscribe tokens', () => {
  it('name their subscription and verify only with the key that made them', () => {
    const key = Buffer.alloc(32, 1);
    const token = unsubscribeToken(key, 'sub.with.dots');
    expect(verifyUnsubscribeToken(key, token)).toBe('sub.with.dots');
    expect(verifyUnsubscribeToken(Buffer.alloc(32, 2), token)).toBeNull();
    expect(
      verifyUnsubscribeToken(key, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')),
    ).toBeNull();
  });
});
