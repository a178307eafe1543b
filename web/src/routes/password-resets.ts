import type { FastifyRequest } from 'fastify';
import { normaliseEmail } from '@airbox/registry';
import type { AccountsOptions, ResetMailOptions } from '../accounts/options.ts';
import {
  mailLang,
  RequestWindow,
  RESET_MAIL_TTL_MS,
  resetLink,
  resetMail,
} from '../accounts/reset-mail.ts';
import { ResetRequestBody, ResetRequestedDoc } from '../accounts/schemas.ts';
import { ApiError } from '../errors.ts';
import { ErrorDoc } from '../schemas.ts';
import { accountsOf } from './accounts.ts';
import { changeRoute, type RouteContext } from './define.ts';

const WINDOW_MS = { perAddress: 15 * 60_000, perEmail: 3_600_000 };
const ANSWER = {
  message:
    'if an account has this e-mail address, a link to choose a new password is on its way; it works once, for an hour',
};

/**
 * POST /api/v1/password-resets {email}: mails a one-time reset link. Every accepted request
 * gets the same 202 at once, whether or not an account has the address, and the mail goes
 * out after the answer, so neither the answer nor its timing tells who has an account
 * (OWASP Forgot Password cheat sheet). Limited per asking address (429) and per e-mail
 * address (silently no more mail: a flood of resets cannot fill someone's inbox).
 */
export function passwordResetRequestRoute(ctx: RouteContext): void {
  const windows = new WeakMap<ResetMailOptions, { asker: RequestWindow; to: RequestWindow }>();
  const windowsOf = (mail: ResetMailOptions) => {
    let w = windows.get(mail);
    if (w === undefined) {
      w = {
        asker: new RequestWindow(mail.perAddress ?? 10, WINDOW_MS.perAddress),
        to: new RequestWindow(mail.perEmail ?? 3, WINDOW_MS.perEmail),
      };
      windows.set(mail, w);
    }
    return w;
  };
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/password-resets',
      tag: 'accounts',
      summary: 'mail a link to choose a new password (the same answer for any address)',
      body: ResetRequestBody,
      responses: {
        202: {
          description: 'accepted: a mail goes out if an account has it',
          json: ResetRequestedDoc,
        },
        429: { description: 'too many from this address (`too-many-attempts`)', json: ErrorDoc },
        503: { description: 'this server sends no mail (`mail-not-configured`)', json: ErrorDoc },
      },
    },
    async ({ body }, req, reply) => {
      const accounts = accountsOf(ctx);
      const mail = mailOf(accounts);
      const nowMs = ctx.options.now();
      const { asker, to } = windowsOf(mail);
      if (!asker.take(req.ip, nowMs)) {
        throw new ApiError(429, 'too-many-attempts', 'too many reset requests from this address', {
          'Retry-After': String(asker.retryAfterS(req.ip, nowMs)),
        });
      }
      const email = normalised(body.email);
      if (email !== null && to.take(email, nowMs)) {
        void sendReset(accounts, mail, email, req).catch((e: unknown) =>
          req.log.warn({ err: e }, 'password reset mail not sent'),
        );
      }
      return reply.code(202).header('Cache-Control', 'no-store').send(ANSWER);
    },
  );
}

function mailOf(accounts: AccountsOptions): ResetMailOptions {
  if (accounts.mail === undefined) {
    throw new ApiError(
      503,
      'mail-not-configured',
      'this server sends no e-mail: ask its operator for a reset link (airbox account reset-link)',
    );
  }
  return accounts.mail;
}

/** The address as accounts keep it; a malformed one is answered like an unknown one. */
function normalised(email: string): string | null {
  try {
    return normaliseEmail(email);
  } catch {
    return null;
  }
}

async function sendReset(
  { registry }: AccountsOptions,
  mail: ResetMailOptions,
  email: string,
  req: FastifyRequest,
): Promise<void> {
  const account = await registry.accounts.byEmail(email);
  if (account === null) return;
  const token = await registry.resets.create(account.id, RESET_MAIL_TTL_MS);
  const lang = mailLang(req.headers['accept-language']);
  const link = resetLink(mail.linkBase(), token, lang);
  await mail.mailer.send(resetMail(account.email, link, lang));
}
