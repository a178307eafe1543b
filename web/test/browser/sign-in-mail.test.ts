import { afterAll, describe, expect, it } from 'vitest';
import { startSmtpServer } from '@airbox/testkit';
import { browserSession, browserSkipReason, waitForReady } from './harness.ts';

/**
 * A school's own server in Chromium: `airbox serve --signup closed --smtp-url …` (a real
 * SMTP server in this process). The sign-in page offers no sign-up, only what the operator
 * made; "Forgot your password?" mails a link, the link sets a new password, and the person
 * signs in with it.
 */
const skip = await browserSkipReason();
const smtp = skip === '' ? await startSmtpServer() : null;

describe.skipIf(skip !== '')('sign-up closed, password reset by mail (Chromium)', () => {
  const session = browserSession(['--signup', 'closed', '--smtp-url', smtp?.url ?? '']);
  const { system } = session;
  afterAll(async () => {
    await smtp?.close();
  });

  it('shows no sign-up form, and says who makes accounts', async () => {
    const { page } = session;
    await page.goto(system.url('/sign-in?lang=zh-TW'));
    await waitForReady(page);
    expect(await page.locator('[data-testid=sign-up]').count()).toBe(0);
    expect(await page.textContent('[data-testid=signup-closed]')).toContain('帳號由管理員建立');
  });

  it('mails a reset link from "Forgot your password?"; it sets the password that then signs in', async () => {
    const { page, seen } = session;
    await system.airbox(
      ['account', 'add', 'teacher@example.org', '--password-stdin'],
      'forgotten passphrase',
    );
    await page.goto(system.url('/sign-in?lang=en'));
    await waitForReady(page);
    await page.click('[data-testid=forgot] summary');
    await page.fill('[data-testid=forgot] [data-testid=email]', 'teacher@example.org');
    await page.click('[data-testid=forgot] button[type=submit]');
    await expect
      .poll(() => page.textContent('[data-testid=forgot-status]'))
      .toContain('a mail with a link');
    const mail = await smtp!.waitFor((m) => m.to.includes('teacher@example.org'), 10_000);
    const link = /http:\/\/localhost:\d+\/reset-password\?\S+/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();

    // The mail's link names localhost (no --public-url); this test reaches it at 127.0.0.1.
    await page.goto(link!.replace('localhost', '127.0.0.1'));
    await waitForReady(page);
    const reset = page.locator('[data-testid=reset]');
    await reset.locator('[data-testid=newPassword]').fill('a new passphrase');
    await reset.locator('[data-testid=repeatPassword]').fill('a new passphrase');
    await reset.locator('button[type=submit]').click();
    await expect
      .poll(() => page.textContent('[data-testid=status]'))
      .toContain('Your new password is set');

    await page.goto(system.url('/sign-in?lang=en'));
    await waitForReady(page);
    const form = page.locator('[data-testid=sign-in]');
    await form.locator('[data-testid=email]').fill('teacher@example.org');
    await form.locator('[data-testid=password]').fill('a new passphrase');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/\/me\?lang=en/);
    expect(seen.errors).toEqual([]);
  });
});
