import { startSmtpServer, type TestSmtpServer } from '@airbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailError, smtpMailer, type Mailer } from '../src/index.ts';

describe('smtpMailer against a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    mailer = smtpMailer({ url: smtp.url, from: 'AirBox <alerts@airbox.test>' });
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
  });

  it('delivers a message with its subject, text, headers and message id', async () => {
    await mailer.verify();
    const sent = await mailer.send({
      to: 'teacher@school.test',
      subject: '空氣品質警報 PM2.5 above 35',
      text: '教室外的 PM2.5 已超過 35 µg/m³',
      headers: { 'List-Unsubscribe': '<https://airbox.test/u/abc>' },
      messageId: 'alert-42@airbox.test',
    });
    expect(sent.messageId).toBe('alert-42@airbox.test');
    const got = await smtp.waitFor((m) => m.to.includes('teacher@school.test'));
    expect(got.subject).toBe('空氣品質警報 PM2.5 above 35');
    expect(got.text.trim()).toBe('教室外的 PM2.5 已超過 35 µg/m³');
    expect(got.headers.get('list-unsubscribe')).toBe('<https://airbox.test/u/abc>');
    expect(got.headers.get('message-id')).toBe('<alert-42@airbox.test>');
    expect(got.from).toBe('alerts@airbox.test');
  });

  it('refuses what is not an address before talking to the server', async () => {
    const before = smtp.messages.length;
    await expect(mailer.send({ to: 'nobody', subject: 's', text: 't' })).rejects.toMatchObject({
      code: 'invalid-address',
      permanent: true,
    });
    expect(smtp.messages.length).toBe(before);
  });

  it('a 5xx refusal is permanent, a server that is down is worth retrying', async () => {
    smtp.rejectRecipients(true);
    const refused = await mailer
      .send({ to: 'gone@school.test', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    smtp.rejectRecipients(false);
    expect(refused).toBeInstanceOf(MailError);
    expect(refused).toMatchObject({ code: 'mail-rejected', permanent: true });
    expect((refused as Error).message).toContain('gone@school.test');

    await smtp.stop();
    const down = await mailer
      .send({ to: 'a@school.test', subject: 's', text: 't' })
      .catch((e: unknown) => e);
    await smtp.start();
    expect(down).toMatchObject({ code: 'mail-unreachable', permanent: false });
    expect((down as Error).message).toContain(`127.0.0.1:${smtp.port}`);
  });

  it('names a bad --smtp-url', () => {
    expect(() => smtpMailer({ url: 'http://mail.test', from: 'a@b.test' })).toThrow(
      /smtp:\/\/ or smtps:\/\//,
    );
    expect(() => smtpMailer({ url: 'not a url', from: 'a@b.test' })).toThrow(MailError);
  });
});
