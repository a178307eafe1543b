import { smtpMailer, type Mailer } from '@airbox/mail';
import { startSmtpServer, type TestSmtpServer } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { emailSender } from '../src/index.ts';
import { startRig, type Rig } from './fixtures/outbox.ts';
import { event, subscription } from './fixtures/subscriptions.ts';

let smtp: TestSmtpServer;
let mailer: Mailer;
let rig: Rig;

afterEach(async () => {
  await rig?.close();
  mailer?.close();
  await smtp?.close();
});

async function setUp(): Promise<void> {
  smtp = await startSmtpServer();
  mailer = smtpMailer({ url: smtp.url, from: 'AirBox <alerts@air.example.org>', timeoutMs: 2_000 });
  rig = await startRig({ channels: { email: emailSender(mailer, 'air.example.org') } });
}

describe('e-mail delivery through a real SMTP server', () => {
  it('mails the alert in the subscriber’s language with an unsubscribe header and link', async () => {
    await setUp();
    const sub = subscription('sub-m', { type: 'email', address: 'teacher@school.example.org' });
    await rig.dispatcher.enqueue(event(sub, 1), sub);
    await rig.dispatcher.runOnce();
    const mail = await smtp.waitFor((m) => m.to.includes('teacher@school.example.org'));
    expect(mail.subject).toBe('PM2.5 警報：中山國小 教室 3 62.4 µg/m³');
    expect(mail.text).toContain('高於您設定的門檻 35 µg/m³');
    expect(mail.text).toContain('2026-12-08 14:05 (台灣時間)');
    const link = /取消訂閱: (\S+)/.exec(mail.text)?.[1];
    expect(link).toMatch(/^https:\/\/air\.example\.org\/alerts\/unsubscribe\?token=/);
    expect(mail.headers.get('list-unsubscribe')).toBe(`<${link}>`);
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.headers.get('message-id')).toMatch(/^<[0-9a-f]{32}@air\.example\.org>$/);
    expect(await rig.registry.alertOutbox.get('sub-m:alert:1')).toMatchObject({
      state: 'delivered',
    });
  });

  it('keeps a message while the SMTP server is unreachable and sends it once it is back', async () => {
    await setUp();
    const sub = subscription(
      'sub-u',
      { type: 'email', address: 'maker@example.org' },
      { locale: 'en' },
    );
    await smtp.stop();
    await rig.dispatcher.enqueue(event(sub, 1, { type: 'offline', kind: 'offline' }), sub);
    await rig.dispatcher.runOnce();
    const waiting = await rig.registry.alertOutbox.get('sub-u:alert:1');
    expect(waiting).toMatchObject({ state: 'pending', attempts: 1 });
    expect(waiting?.lastError).toMatch(/127\.0\.0\.1/);
    await smtp.start();
    rig.clock.ms += 30_000;
    await rig.dispatcher.runOnce();
    const mail = await smtp.waitFor((m) => m.to.includes('maker@example.org'));
    expect(mail.subject).toBe('Box offline: 中山國小 教室 3');
    expect(smtp.messages).toHaveLength(1);
    expect(await rig.registry.alertOutbox.get('sub-u:alert:1')).toMatchObject({
      state: 'delivered',
      attempts: 2,
    });
  });

  it('gives up on an address the server refuses (5xx), without retrying', async () => {
    await setUp();
    const sub = subscription('sub-r', { type: 'email', address: 'gone@example.org' });
    smtp.rejectRecipients(true);
    await rig.dispatcher.enqueue(event(sub, 1), sub);
    await rig.dispatcher.runOnce();
    expect(await rig.registry.alertOutbox.get('sub-r:alert:1')).toMatchObject({
      state: 'failed',
      attempts: 1,
    });
  });
});
