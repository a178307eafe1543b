import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserSession, browserSkipReason, waitForReady } from './harness.ts';

/**
 * A forgotten password, as it goes before e-mail exists: the operator runs `airbox account
 * reset-link EMAIL` against the running server and hands the link over; the person opens it
 * in Chromium, chooses a new password, and signs in with it. The link works once.
 */
const skip = await browserSkipReason();

async function submitReset(page: Page, password: string, repeat = password): Promise<string> {
  const form = page.locator('[data-testid=reset]');
  const status = page.locator('[data-testid=status]');
  const before = (await status.textContent()) ?? '';
  await form.locator('[data-testid=newPassword]').fill(password);
  await form.locator('[data-testid=repeatPassword]').fill(repeat);
  await form.locator('button[type=submit]').click();
  // The answer, not the line the last submit left there, nor 'Loading…' in either language.
  const answer = async () => {
    const now = (await status.textContent()) ?? '';
    return now !== before && !/^(Loading…|載入中…)?$/.test(now) ? now : '';
  };
  await expect.poll(answer).not.toBe('');
  return answer();
}

describe.skipIf(skip !== '')('a password-reset link in the browser (Chromium)', () => {
  const session = browserSession();
  const { system } = session;
  let page: Page;
  let link = '';

  beforeAll(async () => {
    ({ page } = session);
    await system.airbox(
      ['account', 'add', 'teacher@example.org', '--password-stdin'],
      'forgotten passphrase',
    );
    const printed = await system.airbox([
      'account',
      'reset-link',
      'teacher@example.org',
      '--base-url',
      system.url('/'),
    ]);
    link = (JSON.parse(printed) as { link: string }).link;
  });

  it('sets the new password typed twice, then the person signs in with it', async () => {
    await page.goto(`${link}&lang=en`);
    await waitForReady(page);
    expect(await page.textContent('h2')).toBe('Choose a new password');
    expect(await submitReset(page, 'a new passphrase', 'a new passfrase')).toBe(
      'The two passwords differ.',
    );
    expect(await submitReset(page, 'a new passphrase')).toContain('Your new password is set');

    await page.locator('[data-testid=go-sign-in]').click();
    await page.waitForURL(/\/sign-in\?lang=en/);
    await waitForReady(page);
    const form = page.locator('[data-testid=sign-in]');
    await form.locator('[data-testid=email]').fill('teacher@example.org');
    await form.locator('[data-testid=password]').fill('a new passphrase');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/\/me\?lang=en/);
    await waitForReady(page);
    expect(await page.textContent('main')).toContain('Signed in as teacher');
  });

  it('refuses the same link a second time, in zh-TW too, and the password stays', async () => {
    await page.goto(`${link}&lang=zh-TW`);
    await waitForReady(page);
    expect(await page.textContent('h2')).toBe('設定新密碼');
    expect(await submitReset(page, 'somebody else entirely')).toContain('unknown, used or expired');
    const signIn = await fetch(system.url('/api/v1/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'teacher@example.org', password: 'a new passphrase' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('says what to do when the address has no token', async () => {
    await page.goto(system.url('/reset-password?lang=en'));
    await waitForReady(page);
    expect(await page.textContent('[data-testid=status]')).toContain('holds no reset token');
    expect(await page.getAttribute('[data-testid=go-sign-in]', 'href')).toBe('/sign-in?lang=en');
  });
});
