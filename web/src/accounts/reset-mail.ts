import type { MailMessage } from '@airbox/mail';

/**
 * The password-reset mail (POST /api/v1/password-resets): the link, in zh-TW or English,
 * and how often one may be asked for. A link is good for an hour (OWASP Forgot Password
 * cheat sheet: short-lived, single use); `airbox account reset-link` hands out longer ones.
 */
export const RESET_MAIL_TTL_MS = 3_600_000;

export type MailLang = 'zh-TW' | 'en';

/**
 * The language the asker reads (Accept-Language, RFC 9110 §12.5.4): English when it is
 * preferred over any Chinese, else zh-TW, the network's own.
 */
export function mailLang(acceptLanguage: string | undefined): MailLang {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((l) => l.tag !== '' && l.q > 0)
    .sort((a, b) => b.q - a.q);
  const first = ranked.find((l) => l.tag.startsWith('zh') || l.tag.startsWith('en'));
  return first?.tag.startsWith('en') === true ? 'en' : 'zh-TW';
}

/** The page a link opens: `/reset-password?token=…&lang=…` under the server's public address. */
export function resetLink(base: URL, token: string, lang: MailLang): string {
  const withSlash = new URL(base.href);
  if (!withSlash.pathname.endsWith('/')) withSlash.pathname += '/';
  const link = new URL('reset-password', withSlash);
  link.searchParams.set('token', token);
  link.searchParams.set('lang', lang);
  return link.href;
}

const TEXTS: Record<MailLang, { subject: string; body: (link: string) => string }> = {
  'zh-TW': {
    subject: 'AirBox：重設密碼',
    body: (link) =>
      `有人（希望是你）要求重設這個 AirBox 帳號的密碼。\n\n請在一小時內打開下面的連結設定新密碼，連結只能使用一次：\n${link}\n\n如果不是你要求的，請忽略這封信，你的密碼不會改變。\n`,
  },
  en: {
    subject: 'AirBox: reset your password',
    body: (link) =>
      `Someone (we hope you) asked to reset the password of this AirBox account.\n\nOpen this link within an hour to choose a new password; it works once:\n${link}\n\nIf it was not you, ignore this mail: your password stays as it is.\n`,
  },
};

export function resetMail(to: string, link: string, lang: MailLang): MailMessage {
  const { subject, body } = TEXTS[lang];
  return { to, subject, text: body(link) };
}

/**
 * Requests counted per key (an address asking, an e-mail asked for) in fixed windows. The
 * map is bounded: when full, windows that ended are dropped, then the oldest entries.
 */
export class RequestWindow {
  readonly #counts = new Map<string, { startMs: number; count: number }>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;

  constructor(max: number, windowMs: number, maxTracked = 100_000) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#maxTracked = maxTracked;
  }

  /** Counts one request of `key`; false when it is over the window's allowance. */
  take(key: string, nowMs: number): boolean {
    let entry = this.#counts.get(key);
    if (entry === undefined || nowMs - entry.startMs >= this.#windowMs) {
      this.#counts.delete(key);
      this.#makeRoom(nowMs);
      entry = { startMs: nowMs, count: 0 };
      this.#counts.set(key, entry);
    }
    entry.count += 1;
    return entry.count <= this.#max;
  }

  /** Seconds until `key`'s window ends. */
  retryAfterS(key: string, nowMs: number): number {
    const entry = this.#counts.get(key);
    return entry === undefined ? 0 : Math.ceil((entry.startMs + this.#windowMs - nowMs) / 1000);
  }

  #makeRoom(nowMs: number): void {
    if (this.#counts.size < this.#maxTracked) return;
    for (const [key, e] of this.#counts) {
      if (nowMs - e.startMs >= this.#windowMs) this.#counts.delete(key);
    }
    // Insertion order: the first keys are the oldest.
    for (const key of this.#counts.keys()) {
      if (this.#counts.size < this.#maxTracked) break;
      this.#counts.delete(key);
    }
  }
}
