import type { Text } from '@airbox/aqi';
import { EN, ZH_TW, type StringKey } from './strings.ts';
import { FLAG_TEXT_ZH_TW } from './flags-zh.ts';

export const LANGS = ['zh-TW', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const TABLES: Record<Lang, Record<StringKey, string>> = { en: EN, 'zh-TW': ZH_TW };

/** `zh`, `zh-TW`, `zh-Hant-TW` … → zh-TW; anything else English. */
function asLang(tag: string | null | undefined): Lang | null {
  if (tag === null || tag === undefined || tag === '') return null;
  const lower = tag.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-TW';
  if (lower.startsWith('en')) return 'en';
  return null;
}

/** The language: `?lang=` first, then the browser's preferences, then zh-TW (the audience). */
export function pickLang(search: string, preferred: readonly string[]): Lang {
  const fromQuery = asLang(new URLSearchParams(search).get('lang'));
  if (fromQuery !== null) return fromQuery;
  for (const tag of preferred) {
    const lang = asLang(tag);
    if (lang !== null) return lang;
  }
  return 'zh-TW';
}

export interface I18n {
  lang: Lang;
  t(key: StringKey, params?: Record<string, string | number>): string;
  /** The language's half of an @airbox/aqi text. */
  pick(text: Text): string;
  /** A QC flag's explanation (English from @airbox/protocol, zh-TW from our table). */
  flagText(code: string, english: string): string;
  number(value: number, fractionDigits?: number): string;
  time(iso: string | number): string;
  dateTime(iso: string | number): string;
}

export function createI18n(lang: Lang): I18n {
  const table = TABLES[lang];
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
  const dateTimeFormat = new Intl.DateTimeFormat(lang, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  return {
    lang,
    t: (key, params) =>
      table[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
        params !== undefined && name in params ? String(params[name]) : whole,
      ),
    pick: (text) => (lang === 'en' ? text.en : text.zhTw),
    flagText: (code, english) => (lang === 'en' ? english : (FLAG_TEXT_ZH_TW[code] ?? english)),
    number: (value, fractionDigits = 1) => {
      let format = numberFormats.get(fractionDigits);
      if (format === undefined) {
        format = new Intl.NumberFormat(lang, {
          minimumFractionDigits: fractionDigits,
          maximumFractionDigits: fractionDigits,
        });
        numberFormats.set(fractionDigits, format);
      }
      return format.format(value);
    },
    time: (iso) => timeFormat.format(new Date(iso)),
    dateTime: (iso) => dateTimeFormat.format(new Date(iso)),
  };
}

/** The current URL with `lang` set: switching reloads the page in the other language. */
export function urlWithLang(href: string, lang: Lang): string {
  const url = new URL(href);
  url.searchParams.set('lang', lang);
  return url.toString();
}

export type { StringKey };
