import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpMailer, type Mailer } from '@airbox/mail';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '@airbox/testkit';
import { accountsApi, signUp } from './helpers.ts';

/**
 * "Forgot your password?" by e-mail, through a real SMTP server in this process: the mail
 * arrives with a link whose token sets a new password once; an address nobody has gets the
 * very same answer and no mail; a server without --smtp-url says so with a coded 503.
 */
describe('POST /api/v1/password-resets', () => {
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    mailer = smtpMailer({ url: smtp.url, from: 'AirBox <airbox@air.example.org>' });
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
  });

  const withMail = (opts: { perEmail?: number; perAddress?: number } = {}) =>
    accountsApi({
      mail: { mailer, linkBase: () => new URL('https://air.example.org/airbox/'), ...opts },
    });
  const ask = (app: Awaited<ReturnType<typeof withMail>>['app'], email: string, lang?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/password-resets',
      payload: { email },
      headers: lang === undefined ? {} : { 'accept-language': lang },
    });
  const mailTo = (to: string) => (m: ReceivedMail) => m.to.includes(to);
  const linkIn = (mail: ReceivedMail) => {
    const link = /https:\/\/air\.example\.org\/airbox\/reset-password\?\S+/.exec(mail.text)?.[0];
    if (link === undefined) throw new Error(`no reset link in: ${mail.text}`);
    return new URL(link);
  };

  it('mails a link that sets a new password once; the old password stops working', async () => {
    const { app } = await withMail();
    await signUp(app, 'forgetful@example.org');
    const res = await ask(app, ' Forgetful@Example.org', 'en-GB,en;q=0.9,zh-TW;q=0.5');
    expect(res.statusCode).toBe(202);
    const mail = await smtp.waitFor(mailTo('forgetful@example.org'));
    expect(mail.subject).toBe('AirBox: reset your password');
    const link = linkIn(mail);
    expect(link.searchParams.get('lang')).toBe('en');
    const token = link.searchParams.get('token')!;
    const reset = (newPassword: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/password-reset',
        payload: { token, newPassword },
      });
    expect((await reset('a brand new passphrase')).statusCode).toBe(204);
    expect((await reset('yet another passphrase')).statusCode).toBe(400);
    const signIn = (password: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'forgetful@example.org', password },
      });
    expect((await signIn('a brand new passphrase')).statusCode).toBe(200);
    expect((await signIn('correct horse battery')).statusCode).toBe(401);
  });

  it('answers an unknown address exactly alike, and mails nobody', async () => {
    const { app } = await withMail();
    await signUp(app, 'known@example.org');
    const before = smtp.messages.length;
    const unknown = await ask(app, 'nobody-here@example.org');
    const known = await ask(app, 'known@example.org');
    expect([unknown.statusCode, unknown.body]).toEqual([known.statusCode, known.body]);
    const mail = await smtp.waitFor(mailTo('known@example.org'));
    // zh-TW when the asker states no preference: the network's own language.
    expect(mail.subject).toBe('AirBox：重設密碼');
    expect(linkIn(mail).searchParams.get('lang')).toBe('zh-TW');
    await sleep(300);
    expect(smtp.messages.slice(before).flatMap((m) => m.to)).toEqual(['known@example.org']);
  });

  it('sends one address at most perEmail mails, and refuses a flood from one asker', async () => {
    const { app } = await withMail({ perEmail: 2, perAddress: 5 });
    await signUp(app, 'target@example.org');
    const before = smtp.messages.length;
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await ask(app, 'target@example.org')).statusCode);
    expect(answers).toEqual([202, 202, 202, 202, 202, 429]);
    await smtp.waitFor(
      (m) => smtp.messages.indexOf(m) >= before + 1 && mailTo('target@example.org')(m),
    );
    await sleep(300);
    expect(smtp.messages.slice(before).filter(mailTo('target@example.org'))).toHaveLength(2);
  });

  it('without --smtp-url: 503 mail-not-configured, and the app is told to hide the link', async () => {
    const { app } = await accountsApi();
    const res = await ask(app, 'anyone@example.org');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'mail-not-configured' } });
    expect((await app.inject('/app/config.json')).json()).toMatchObject({ passwordReset: false });
    const mailing = await withMail();
    expect((await mailing.app.inject('/app/config.json')).json()).toMatchObject({
      passwordReset: true,
    });
  });
});
