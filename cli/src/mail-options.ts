import { MailError, smtpMailer, type Mailer } from '@airbox/mail';
import { UsageError } from './io.ts';

/**
 * How serve sends e-mail (password resets, alerts) and the address its links point at.
 * Without --smtp-url nothing is mailed: the routes that would mail say so (a coded 503).
 */
export const MAIL_OPTIONS = {
  'smtp-url': { type: 'string' },
  'mail-from': { type: 'string' },
  'public-url': { type: 'string' },
} as const;

export const MAIL_USAGE = `E-mail (password resets, alerts):
  --smtp-url URL           the SMTP server mail goes through: smtp://[USER:PASS@]HOST[:PORT], or
                           smtps://… for TLS from the start (no default: nothing is mailed)
  --mail-from ADDRESS      the From: of every mail (default "AirBox <airbox@HOST of --public-url>")
  --public-url URL         the address people reach this server at, for the links in mails
                           and feeds (default http://localhost:HTTP_PORT)`;

export interface MailValues {
  'smtp-url'?: string;
  'mail-from'?: string;
  'public-url'?: string;
}

/** --public-url, checked; null when not given (the caller knows the port it listens on). */
export function publicUrl(v: MailValues): URL | null {
  const raw = v['public-url'];
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--public-url must be a URL such as https://air.example.org, got '${raw}'`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--public-url must start with http:// or https://, got '${raw}'`);
  }
  return url;
}

/** The mailer of --smtp-url, or null; a malformed URL is a usage error at start. */
export function mailerFromOptions(v: MailValues): Mailer | null {
  const url = v['smtp-url'];
  if (url === undefined) return null;
  const host = publicUrl(v)?.hostname ?? 'localhost';
  try {
    return smtpMailer({ url, from: v['mail-from'] ?? `AirBox <airbox@${host}>` });
  } catch (e) {
    if (e instanceof MailError) throw new UsageError(e.message);
    throw e;
  }
}
