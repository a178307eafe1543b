import { CodedError } from '@airbox/contracts';
import nodemailer from 'nodemailer';

/**
 * The mail port: what a password reset or an alert hands over, and one adapter, SMTP through
 * nodemailer. An error says whether trying again later can help (`permanent`): a server that
 * is down or answers 4xx is worth another try, a 5xx rejection of the address is not.
 */

export type MailErrorCode =
  'invalid-smtp-url' | 'invalid-address' | 'mail-unreachable' | 'mail-rejected';

export class MailError extends CodedError<MailErrorCode> {
  /** True when the same message will fail again: do not retry it. */
  readonly permanent: boolean;

  constructor(
    code: MailErrorCode,
    message: string,
    options: { permanent: boolean; cause?: unknown },
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.permanent = options.permanent;
  }
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe or an idempotency key the receiver may log. */
  headers?: Record<string, string>;
  /** The RFC 5322 Message-ID (without angle brackets); the same id for a retried message. */
  messageId?: string;
}

export interface Mailer {
  readonly from: string;
  /** Resolves once the SMTP server accepted the message; rejects with a MailError. */
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** Connects and greets the server: a bad --smtp-url is found at start, not at the first alert. */
  verify(): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** smtp://[user:pass@]host[:port] or smtps://… (TLS from the first byte). */
  url: string;
  /** The From: address, e.g. "AirBox <alerts@example.org>". */
  from: string;
  /** Connection, greeting and socket timeouts. Default 10 s. */
  timeoutMs?: number;
}

/** Checks an --smtp-url before anything is sent with it. */
export function parseSmtpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MailError('invalid-smtp-url', `--smtp-url "${raw}" is not a URL (smtp://host:port)`, {
      permanent: true,
    });
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new MailError(
      'invalid-smtp-url',
      `--smtp-url "${raw}" must start with smtp:// or smtps://, not ${url.protocol}//`,
      { permanent: true },
    );
  }
  if (url.hostname === '') {
    throw new MailError('invalid-smtp-url', `--smtp-url "${raw}" names no host`, {
      permanent: true,
    });
  }
  return url;
}

/** A rough check, enough to refuse "not an address" at the door; the server has the last word. */
export function looksLikeAddress(address: string): boolean {
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address);
}

export function smtpMailer(options: SmtpMailerOptions): Mailer {
  const url = parseSmtpUrl(options.url);
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port === '' ? (url.protocol === 'smtps:' ? 465 : 587) : Number(url.port),
    secure: url.protocol === 'smtps:',
    auth:
      url.username === ''
        ? undefined
        : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const where = `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
  return {
    from: options.from,
    async send(message) {
      if (!looksLikeAddress(message.to)) {
        throw new MailError('invalid-address', `"${message.to}" is not an e-mail address`, {
          permanent: true,
        });
      }
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.headers,
          messageId: message.messageId === undefined ? undefined : `<${message.messageId}>`,
        });
        return { messageId: String(info.messageId).replace(/^<|>$/g, '') };
      } catch (e) {
        throw asMailError(e, where, message.to);
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (e) {
        throw asMailError(e, where, null);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** nodemailer's error (code, responseCode) as a MailError that says whether to retry. */
function asMailError(e: unknown, where: string, to: string | null): MailError {
  const err = e as { code?: string; responseCode?: number; message?: string };
  const status = err.responseCode;
  if (status !== undefined && status >= 500) {
    const whom = to === null ? '' : ` for ${to}`;
    return new MailError(
      'mail-rejected',
      `the SMTP server ${where} refused the message${whom}: ${err.message}`,
      {
        permanent: true,
        cause: e,
      },
    );
  }
  return new MailError(
    'mail-unreachable',
    `the SMTP server ${where} did not take the message (${err.code ?? status ?? 'error'}): ${err.message}`,
    { permanent: false, cause: e },
  );
}
