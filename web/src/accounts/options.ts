import type { Mailer } from '@airbox/mail';
import type { Registry } from '@airbox/registry';
import type { CookiePolicy } from './session-cookie.ts';
import type { SignInLimits } from './sign-in-limiter.ts';

/** Where boxes connect, shown with new credentials so a maker can copy the exact settings. */
export interface MqttEndpoint {
  /** Default: the host the browser asked (the name it reached this server by). */
  host?: string;
  port: number;
  /** The WebSocket port (path /mqtt), if the broker has one. */
  wsPort?: number;
}

/** Accounts, organisations, self-service boxes and API keys (ApiOptions.accounts). */
export interface AccountsOptions {
  registry: Registry;
  /**
   * Called after a box was added, changed, rotated, revoked, moved or removed, before the
   * answer: the broker's and the API's view of the registry catch up at once (a RegistryView's
   * refresh), instead of at their next poll.
   */
  afterDeviceChange?: () => Promise<void>;
  cookies?: CookiePolicy;
  /** How long a sign-in lasts. Default 7 days. */
  sessionTtlMs?: number;
  signInLimits?: Partial<SignInLimits>;
  mqtt?: MqttEndpoint;
  /**
   * Who may make an account: anyone (`open`, the default), or only operators (`closed`:
   * `airbox account add`; POST /api/v1/accounts answers 403 `signup-closed`).
   */
  signup?: SignupPolicy;
  /**
   * E-mail for password resets (`airbox serve --smtp-url`); until given, POST
   * /api/v1/password-resets answers 503 `mail-not-configured` and the sign-in page has no
   * "forgot password" link.
   */
  mail?: ResetMailOptions;
}

export interface ResetMailOptions {
  mailer: Mailer;
  /**
   * The address people reach the server at (`--public-url`), for the link in the mail.
   * Never the request's Host header, which whoever asks chooses (reset-link poisoning).
   */
  linkBase: () => URL;
  /** Reset mails asked for from one address in 15 minutes before 429. Default 10. */
  perAddress?: number;
  /** Reset mails sent to one e-mail address in an hour; more are silently not sent. Default 3. */
  perEmail?: number;
}

export type SignupPolicy = 'open' | 'closed';

/** Whether anyone may sign up here (the sign-in page shows the form only then). */
export function signupOpen(accounts: AccountsOptions | undefined): boolean {
  return accounts !== undefined && (accounts.signup ?? 'open') === 'open';
}

export const DEFAULT_SESSION_TTL_MS = 7 * 86_400_000;
