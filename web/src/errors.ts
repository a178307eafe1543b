import { CodedError } from '@airbox/contracts';
import type { z } from 'zod';

/** Stable codes of every error the API answers with; clients branch on these, not on text. */
export type ApiErrorCode =
  | 'bad-query'
  | 'bad-path'
  | 'bad-body'
  | 'bad-request'
  | 'range-too-large'
  | 'too-many-rows'
  | 'unknown-device'
  | 'not-found'
  | 'not-available'
  | 'method-not-allowed'
  | 'unauthorized'
  | 'not-signed-in'
  | 'sign-in-failed'
  | 'signup-closed'
  | 'mail-not-configured'
  | 'too-many-attempts'
  | 'csrf-token-invalid'
  | 'quota-exceeded'
  | 'conflict'
  | 'forbidden'
  | 'upgrade-required'
  | 'body-too-large'
  | 'unsupported-media-type'
  | 'headers-too-large'
  | 'rate-limited'
  | 'too-few-boxes'
  | 'invalid-alert'
  | 'invalid-webhook-url'
  | 'private-webhook-address'
  | 'internal';

/**
 * Thrown by handlers and hooks; the error handler turns it into
 * `{"error":{"code","message"}}` with its status and headers. The message names the parameter.
 */
export class ApiError extends CodedError<ApiErrorCode> {
  readonly statusCode: number;
  /** Headers the answer must carry, e.g. WWW-Authenticate with a 401 (RFC 9110 §11.6.1). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    code: ApiErrorCode,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(code, message);
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

const MAX_ECHO_CHARS = 80;
const UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * Outside input quoted for a message: JSON string syntax, cut to 80 characters, with `<`, `>`
 * and `&` as `\u003c`-style escapes, so a device id such as `<script>` is never echoed raw
 * into a page that renders the error (OWASP XSS prevention, rule 3: JSON-escape values).
 */
export function quoteInput(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}…` : text;
  return JSON.stringify(cut).replace(
    UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `from: "yesterday" is not …; to: required` — every problem, named by its parameter. */
export function describeQueryError(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const name = i.path.length > 0 ? String(i.path[0]) : 'query';
      const missing = i.code === 'invalid_type' && i.input === undefined;
      return `${name}: ${missing ? 'required' : i.message}`;
    })
    .join('; ');
}

/** A zod failure on query or path parameters as the 400 the API answers. */
export function badInput(where: 'query' | 'path' | 'body', error: z.ZodError): ApiError {
  return new ApiError(400, `bad-${where}`, describeQueryError(error));
}
