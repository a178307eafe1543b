import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserSession, browserSkipReason, waitForReady, type Credentials } from './harness.ts';

/**
 * A school's alerts in the browser against the real system (`airbox serve` with one alert
 * minute lasting a second, Debian's Chromium and mosquitto_pub): a county alert going on
 * shows as a banner on the school page of a box in that county, in English and zh-TW, and
 * "alert me" subscribes the signed-in teacher to the box by e-mail.
 */
const skip = await browserSkipReason();

describe.skipIf(skip !== '')('alerts on the school page (Chromium)', () => {
  const session = browserSession(['--alert-minute-ms', '1000']);
  const { system } = session;
  let page: Page;
  let box: Credentials;

  beforeAll(async () => {
    ({ page } = session);
    box = await system.addDevice('yard-1');
  });

  /** Signs up in the page; the answer's CSRF token for the calls the test makes as the teacher. */
  async function signUp(email: string): Promise<string> {
    await page.goto(system.url('/sign-in?lang=en'));
    await waitForReady(page);
    const form = page.locator('[data-testid=sign-up]');
    await form.locator('[data-testid=displayName]').fill('Teacher');
    await form.locator('[data-testid=email]').fill(email);
    await form.locator('[data-testid=password]').fill('correct horse battery');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/\/me\?lang=/);
    return page.evaluate(async () => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      return me.csrfToken;
    });
  }

  it('an area alert shows as a banner on the school page of a box in the area', async () => {
    const csrf = await signUp('teacher@example.org');
    const status = await page.evaluate(
      async ({ csrf }) => {
        const res = await fetch('/api/v1/me/alerts', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({
            target: { area: { county: '臺北市' } },
            kind: 'threshold',
            thresholdUgM3: 35,
            forMinutes: 1,
            channel: { type: 'email', address: 'teacher@example.org' },
          }),
        });
        return res.status;
      },
      { csrf },
    );
    expect(status).toBe(201);
    // The evaluator reloads subscriptions every half alert minute.
    await new Promise((r) => setTimeout(r, 1_000));
    const time = new Date().toISOString().slice(0, 19) + 'Z';
    await system.publish(box, { time, pm25UgM3: 88, lat: 25.0478, lon: 121.5319 });
    await expect
      .poll(async () => system.json('/api/v1/alerts/active?deviceId=yard-1'), { timeout: 10_000 })
      .toMatchObject({ alerts: [{ label: '台北市', thresholdUgM3: 35 }] });

    await page.goto(system.url('/school/yard-1?lang=en'));
    await waitForReady(page);
    const banner = page.locator('[data-testid=alert-banner]');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('Air-quality alert for 台北市: PM2.5 above 35');
    await page.goto(system.url('/school/yard-1?lang=zh-TW'));
    await waitForReady(page);
    expect(await banner.textContent()).toContain('台北市 空品警報');
  });

  it('“alert me” subscribes the signed-in teacher to this box by e-mail', async () => {
    await page.goto(system.url('/school/yard-1?lang=en'));
    await waitForReady(page);
    await page.locator('[data-testid=alert-me]').click();
    await expect
      .poll(() => page.textContent('[data-testid=alert-me-status]'))
      .toContain('teacher@example.org gets an e-mail');
    const mine = await page.evaluate(async (): Promise<unknown> =>
      (await fetch('/api/v1/me/alerts')).json(),
    );
    expect(mine).toMatchObject({
      alerts: expect.arrayContaining([
        expect.objectContaining({
          target: { deviceId: 'yard-1' },
          kind: 'category',
          category: 'unhealthy-sensitive',
          channel: { type: 'email', address: 'teacher@example.org' },
        }),
      ]),
    });
  });

  it('“My boxes” lists the alerts; one is paused and resumed, one deleted', async () => {
    await page.goto(system.url('/me?lang=en'));
    await waitForReady(page);
    const rows = page.locator('[data-testid=alert]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.textContent('[data-testid=alerts]')).toContain('臺北市 · PM2.5 above 35');
    const first = rows.first();
    await first.locator('[data-testid=alert-pause]').click();
    await expect.poll(() => first.getAttribute('data-paused')).toBe('true');
    await first.locator('[data-testid=alert-pause]').click();
    await expect.poll(() => first.getAttribute('data-paused')).toBe('false');
    await rows.last().locator('[data-testid=alert-delete]').click();
    await expect.poll(() => rows.count()).toBe(1);
  });
});
