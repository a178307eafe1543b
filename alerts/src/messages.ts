import type { AlertEvent, AlertLocale } from './types.ts';

/**
 * The words of every message, in the subscriber's language (zh-TW or English): e-mail
 * subject and body, the LINE text, the `text` of a webhook body. Each names the target, the
 * value and the threshold where there are some, the time in Taiwan (Asia/Taipei), and ends
 * with the one-click unsubscribe link.
 */

export interface RenderedMessage {
  subject: string;
  text: string;
}

interface Words {
  timeLabel: string;
  unsubscribe: string;
  andMore: (n: number) => string;
  subject: (e: AlertEvent, n: number) => string;
  body: (e: AlertEvent, time: string, n: number) => string;
}

const UG = 'µg/m³';
const fmt = (v: number | null): string => (v === null ? '—' : String(Math.round(v * 10) / 10));

const EN: Words = {
  timeLabel: 'Taiwan time',
  unsubscribe: 'Stop these messages',
  andMore: (n) => `… and ${n} more`,
  subject: (e, n) => {
    switch (e.type) {
      case 'alert':
        if (e.kind === 'category') return `Air quality at ${e.targetLabel}: ${e.category ?? ''}`;
        if (e.kind === 'health') return `Box problem: ${e.targetLabel}`;
        return `PM2.5 alert: ${e.targetLabel} at ${fmt(e.valueUgM3)} ${UG}`;
      case 'clear':
        return `All clear: ${e.targetLabel}`;
      case 'offline':
        return n > 1 ? `${n} boxes offline: ${e.targetLabel}` : `Box offline: ${e.targetLabel}`;
      case 'online':
        return `Back online: ${e.targetLabel}`;
      case 'digest':
        return `Daily air summary: ${e.targetLabel}`;
      case 'test':
        return `AirBox test message: ${e.targetLabel}`;
    }
  },
  body: (e, time, n) => {
    switch (e.type) {
      case 'alert':
        if (e.kind === 'category')
          return `The air quality at ${e.targetLabel} reached "${e.category ?? ''}" at ${time} (PM2.5 ${fmt(e.valueUgM3)} ${UG}).`;
        if (e.kind === 'health')
          return `${e.targetLabel} has a problem since ${time}: ${e.category ?? 'its readings look wrong'}.`;
        return `PM2.5 at ${e.targetLabel} is ${fmt(e.valueUgM3)} ${UG}, above your threshold of ${fmt(e.thresholdUgM3)} ${UG}, since ${time}.`;
      case 'clear':
        return e.kind === 'category'
          ? `The air quality at ${e.targetLabel} left "${e.category ?? ''}" at ${time} (PM2.5 ${fmt(e.valueUgM3)} ${UG}).`
          : `PM2.5 at ${e.targetLabel} is back down to ${fmt(e.valueUgM3)} ${UG} (threshold ${fmt(e.thresholdUgM3)} ${UG}) since ${time}.`;
      case 'offline':
        return n > 1
          ? `${n} boxes of ${e.targetLabel} have sent no reading since ${time}:`
          : `${e.targetLabel} has sent no reading since ${time}.`;
      case 'online':
        return `${e.targetLabel} is sending readings again since ${time}.`;
      case 'digest':
        return `Today at ${e.targetLabel}: PM2.5 averaged ${fmt(e.valueUgM3)} ${UG}${e.category === null ? '' : ` (${e.category})`}. Summary of ${time}.`;
      case 'test':
        return `This is a test of your alert for ${e.targetLabel}, sent at ${time}. If you read this, delivery works.`;
    }
  },
};

const ZH: Words = {
  timeLabel: '台灣時間',
  unsubscribe: '取消訂閱',
  andMore: (n) => `……另有 ${n} 台`,
  subject: (e, n) => {
    switch (e.type) {
      case 'alert':
        if (e.kind === 'category') return `空氣品質通知：${e.targetLabel}「${e.category ?? ''}」`;
        if (e.kind === 'health') return `設備異常：${e.targetLabel}`;
        return `PM2.5 警報：${e.targetLabel} ${fmt(e.valueUgM3)} ${UG}`;
      case 'clear':
        return `警報解除：${e.targetLabel}`;
      case 'offline':
        return n > 1 ? `${n} 台設備離線：${e.targetLabel}` : `設備離線：${e.targetLabel}`;
      case 'online':
        return `設備恢復上線：${e.targetLabel}`;
      case 'digest':
        return `每日空氣摘要：${e.targetLabel}`;
      case 'test':
        return `AirBox 測試訊息：${e.targetLabel}`;
    }
  },
  body: (e, time, n) => {
    switch (e.type) {
      case 'alert':
        if (e.kind === 'category')
          return `${e.targetLabel} 的空氣品質於 ${time} 達到「${e.category ?? ''}」（PM2.5 ${fmt(e.valueUgM3)} ${UG}）。`;
        if (e.kind === 'health')
          return `${e.targetLabel} 自 ${time} 起有異常：${e.category ?? '讀數可疑'}。`;
        return `${e.targetLabel} 的 PM2.5 自 ${time} 起為 ${fmt(e.valueUgM3)} ${UG}，高於您設定的門檻 ${fmt(e.thresholdUgM3)} ${UG}。`;
      case 'clear':
        return e.kind === 'category'
          ? `${e.targetLabel} 的空氣品質於 ${time} 離開「${e.category ?? ''}」（PM2.5 ${fmt(e.valueUgM3)} ${UG}）。`
          : `${e.targetLabel} 的 PM2.5 自 ${time} 起降至 ${fmt(e.valueUgM3)} ${UG}（門檻 ${fmt(e.thresholdUgM3)} ${UG}）。`;
      case 'offline':
        return n > 1
          ? `${e.targetLabel} 有 ${n} 台設備自 ${time} 起沒有傳送資料：`
          : `${e.targetLabel} 自 ${time} 起沒有傳送資料。`;
      case 'online':
        return `${e.targetLabel} 自 ${time} 起恢復傳送資料。`;
      case 'digest':
        return `${e.targetLabel} 今日 PM2.5 平均 ${fmt(e.valueUgM3)} ${UG}${e.category === null ? '' : `（${e.category}）`}。${time} 摘要。`;
      case 'test':
        return `這是 ${e.targetLabel} 警報的測試訊息，發送於 ${time}。看到這則訊息表示通知管道正常。`;
    }
  },
};

const WORDS: Record<AlertLocale, Words> = { en: EN, 'zh-TW': ZH };

/** How many box ids a grouped offline message lists before "and N more". */
const LISTED_BOXES = 20;

// Made once: a DateTimeFormat costs ~0.1 ms to build, formatting with one a microsecond.
const TAIPEI = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Taipei',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** '2026-12-08 14:05' in Asia/Taipei, followed by the zone's name in the language. */
export function taipeiTime(iso: string, locale: AlertLocale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = TAIPEI.format(d);
  return `${text} (${WORDS[locale].timeLabel})`;
}

/** The subject and text of an event in a language, ending with the unsubscribe link. */
export function renderMessage(
  event: AlertEvent,
  locale: AlertLocale,
  unsubscribeUrl: string,
): RenderedMessage {
  const w = WORDS[locale];
  const n = event.deviceIds.length;
  const lines = [w.body(event, taipeiTime(event.at, locale), n)];
  if (event.type === 'offline' && n > 1) {
    lines.push(...event.deviceIds.slice(0, LISTED_BOXES).map((id) => `- ${id}`));
    if (n > LISTED_BOXES) lines.push(w.andMore(n - LISTED_BOXES));
  }
  lines.push('', `${w.unsubscribe}: ${unsubscribeUrl}`);
  return { subject: w.subject(event, n), text: lines.join('\n') };
}
