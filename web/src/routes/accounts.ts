import type { FastifyReply } from 'fastify';
import type { Account } from '@airbox/registry';
import { DEFAULT_SESSION_TTL_MS, signupOpen, type AccountsOptions } from '../accounts/options.ts';
import { requireAccount } from '../accounts/principal.ts';
import {
  MeDoc,
  SignedInDoc,
  PasswordChangeBody,
  PasswordResetBody,
  SignInBody,
  SignUpBody,
} from '../accounts/schemas.ts';
import { clearSessionCookie, setSessionCookie } from '../accounts/session-cookie.ts';
import { SignInLimiter } from '../accounts/sign-in-limiter.ts';
import { ApiError } from '../errors.ts';
import { ErrorDoc } from '../schemas.ts';
import { changeRoute, getRoute, type RouteContext } from './define.ts';

/**
 * Accounts and sign-in: sign up, sign in and out, who am I, change or reset a password.
 * A wrong password and an unknown e-mail get the same answer; attempts are limited per
 * account and per address (SignInLimiter) before the slow hash runs.
 */
export function accountRoutes(ctx: RouteContext): void {
  const limiter = new SignInLimiter(ctx.options.accounts?.signInLimits, ctx.options.now);
  signUpRoute(ctx);
  signInRoute(ctx, limiter);
  signOutRoute(ctx);
  meRoute(ctx);
  passwordRoutes(ctx);
}

/** The accounts part of the options, or a 404 on a server started without a registry. */
export function accountsOf(ctx: RouteContext): AccountsOptions {
  const accounts = ctx.options.accounts;
  if (accounts === undefined) {
    throw new ApiError(404, 'not-available', 'this server has no accounts');
  }
  return accounts;
}

const SIGN_IN_FAILED = 'the e-mail or the password is wrong';

/** Signs the account in: a new session, its cookie set on the reply. */
async function startSession(accounts: AccountsOptions, reply: FastifyReply, account: Account) {
  const ttl = accounts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const session = await accounts.registry.sessions.create(account.id, ttl);
  setSessionCookie(reply, accounts.cookies ?? {}, session.token, ttl);
  return { account, csrfToken: session.csrfToken };
}

function signUpRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/accounts',
      tag: 'accounts',
      summary: 'sign up with an e-mail and a password; signed in at once',
      body: SignUpBody,
      responses: {
        201: {
          description: 'the new account and its CSRF token; the session cookie is set',
          json: SignedInDoc,
        },
        403: {
          description: 'this server makes accounts for operators only (`signup-closed`)',
          json: ErrorDoc,
        },
        409: { description: 'an account has this e-mail (`exists`)', json: ErrorDoc },
      },
    },
    async ({ body }, _req, reply) => {
      const accounts = accountsOf(ctx);
      if (!signupOpen(accounts)) {
        throw new ApiError(
          403,
          'signup-closed',
          'this server does not take new accounts: ask its operator (airbox account add)',
        );
      }
      const account = await accounts.registry.accounts.create(body);
      return reply.code(201).send(await startSession(accounts, reply, account));
    },
  );
}

function signInRoute(ctx: RouteContext, limiter: SignInLimiter): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/session',
      tag: 'accounts',
      summary: 'sign in; sets the session cookie',
      body: SignInBody,
      responses: {
        200: { description: 'signed in: the account and its CSRF token', json: SignedInDoc },
        401: {
          description: 'the e-mail or the password is wrong (`sign-in-failed`)',
          json: ErrorDoc,
        },
        429: {
          description:
            'too many failed attempts for this account or from this address (`too-many-attempts`)',
          json: ErrorDoc,
          headers: { 'Retry-After': 'seconds until an attempt may be made' },
        },
      },
    },
    async ({ body }, req, reply) => {
      const accounts = accountsOf(ctx);
      const emailKey = body.email.toLowerCase();
      const refusal = limiter.refusal(emailKey, req.ip);
      if (refusal !== null) {
        limiter.failed(emailKey, req.ip, true);
        throw new ApiError(
          429,
          'too-many-attempts',
          `too many failed sign-ins for this account or from this address; try again in ${refusal.retryAfterS} s`,
          { 'Retry-After': String(refusal.retryAfterS) },
        );
      }
      const account = await accounts.registry.accounts.authenticate(body.email, body.password);
      if (account === null) {
        limiter.failed(emailKey, req.ip);
        throw new ApiError(401, 'sign-in-failed', SIGN_IN_FAILED);
      }
      limiter.succeeded(emailKey);
      return startSession(accounts, reply, account);
    },
  );
}

function signOutRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'delete',
      url: '/api/v1/session',
      tag: 'accounts',
      summary: 'sign out: the session ends on the server and its cookie is cleared',
      auth: 'account',
      responses: { 204: { description: 'signed out' } },
    },
    async (_input, req, reply) => {
      const accounts = accountsOf(ctx);
      const who = await requireAccount(accounts.registry, req);
      if (who.via === 'session') await accounts.registry.sessions.delete(who.token);
      clearSessionCookie(reply, accounts.cookies ?? {});
      return reply.code(204).send();
    },
  );
}

function meRoute(ctx: RouteContext): void {
  getRoute(
    ctx,
    {
      url: '/api/v1/me',
      tag: 'accounts',
      summary: 'the signed-in account, its organisations and the CSRF token for changes',
      auth: 'account',
      responses: {
        200: { description: 'who you are', json: MeDoc },
        401: { description: 'not signed in (`not-signed-in`)', json: ErrorDoc },
      },
    },
    async (_input, req) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      const orgs = await registry.orgs.listOf(who.account.id);
      return {
        account: who.account,
        organisations: orgs.map(({ id, name, kind, role }) => ({ id, name, kind, role })),
        // An API key needs none; the field stays so clients read one shape.
        csrfToken: who.via === 'session' ? who.csrfToken : '',
      };
    },
  );
}

function passwordRoutes(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/me/password',
      tag: 'accounts',
      summary: 'change the password; every other session of the account ends',
      auth: 'account',
      body: PasswordChangeBody,
      responses: {
        204: { description: 'changed' },
        401: { description: 'the current password is wrong (`sign-in-failed`)', json: ErrorDoc },
      },
    },
    async ({ body }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      const again = await registry.accounts.authenticate(who.account.email, body.currentPassword);
      if (again === null)
        throw new ApiError(401, 'sign-in-failed', 'the current password is wrong');
      await registry.accounts.setPassword(who.account.id, body.newPassword);
      await registry.sessions.deleteAllOf(
        who.account.id,
        who.via === 'session' ? who.token : undefined,
      );
      return reply.code(204).send();
    },
  );
  resetRoute(ctx);
}

function resetRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/password-reset',
      tag: 'accounts',
      summary:
        'set a new password with the token of a reset link; every session of the account ends',
      body: PasswordResetBody,
      responses: {
        204: { description: 'the password is set; sign in with it' },
        400: { description: 'the link is unknown, used or expired (`bad-body`)', json: ErrorDoc },
      },
    },
    async ({ body }, _req, reply) => {
      const { registry } = accountsOf(ctx);
      const accountId = await registry.resets.consume(body.token);
      if (accountId === null) {
        throw new ApiError(
          400,
          'bad-body',
          'token: this reset link is unknown, used or expired; ask for a new one',
        );
      }
      await registry.accounts.setPassword(accountId, body.newPassword);
      await registry.sessions.deleteAllOf(accountId);
      return reply.code(204).send();
    },
  );
}
