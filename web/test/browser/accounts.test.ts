import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '@airbox/testkit';
import { browserSession, browserSkipReason, waitForReady, type Credentials } from './harness.ts';

/**
 * A maker's path, all in the browser against the real system (`airbox serve`, Debian's
 * Chromium, Debian's mosquitto_pub): sign up, register a private box on "My boxes", read
 * the credentials shown once, publish with them, see the reading on "My boxes"; a second
 * account sees that box nowhere — not on the map, not in the API, not by name.
 */
const skip = await browserSkipReason();

async function signUp(page: Page, url: string, email: string): Promise<void> {
  await page.goto(url);
  await waitForReady(page);
  const form = page.locator('[data-testid=sign-up]');
  await form.locator('[data-testid=displayName]').fill(email.split('@')[0]!);
  await form.locator('[data-testid=email]').fill(email);
  await form.locator('[data-testid=password]').fill('correct horse battery');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/me\?lang=/);
  await waitForReady(page);
}

/** The credentials card as the maker reads it. */
async function shownCredentials(page: Page): Promise<Credentials & { example: string }> {
  await page.waitForSelector('[data-testid=credentials]');
  const text = async (id: string) => (await page.textContent(`[data-testid=${id}]`)) ?? '';
  const username = await text('cred-username');
  return {
    deviceId: username,
    username,
    password: await text('cred-password'),
    example: await text('cred-example'),
  };
}

describe.skipIf(skip !== '')('accounts in the browser (Chromium)', () => {
  const session = browserSession();
  const { system } = session;
  let page: Page;
  let creds: Credentials & { example: string };

  beforeAll(() => {
    ({ page } = session);
  });

  it('signs up, registers a private box, and shows its credentials with a mosquitto_pub line', async () => {
    await signUp(page, system.url('/sign-in?lang=en'), 'maker@example.org');
    expect(await page.textContent('main')).toContain('Signed in as maker');
    const form = page.locator('[data-testid=register]');
    await form.locator('[data-testid=deviceId]').fill('home-box-1');
    await form.locator('[data-testid=name]').fill('Living room');
    // The position picked on the map: a click in the middle of the picker.
    await page.locator('[data-testid=picker-map] canvas').click();
    expect(Number(await form.locator('[data-testid=lat]').inputValue())).toBeGreaterThan(20);
    await form.locator('[data-testid=visibility]').selectOption('private');
    await form.locator('[data-testid=register-submit]').click();
    creds = await shownCredentials(page);
    expect(creds.username).toBe('home-box-1');
    expect(creds.password.length).toBeGreaterThanOrEqual(20);
    expect(creds.example).toContain(
      `mosquitto_pub -V mqttv311 -q 1 -h 127.0.0.1 -p ${system.serve.ports?.mqtt}`,
    );
    expect(creds.example).toContain(`-u home-box-1 -P '${creds.password}'`);
  });

  it('takes a reading published with those credentials and shows it on My boxes', async () => {
    const time = new Date(Date.now() - 5_000).toISOString().slice(0, 19) + 'Z';
    await system.publish(creds, { time, pm25UgM3: 23.5, lat: 25.0478, lon: 121.5319 });
    await expect
      .poll(
        async () => {
          await page.reload();
          await waitForReady(page);
          return page.textContent('[data-device="home-box-1"] [data-testid=latest]');
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain('23.5');
  });

  it('opens the box page’s config editor to its owner without the box password', async () => {
    await page.goto(system.url('/device/home-box-1?lang=en'));
    await waitForReady(page);
    await page.waitForSelector('[data-testid=owner] form.config', { timeout: 10_000 });
    expect(await page.locator('[data-testid=owner] input[name=password]').count()).toBe(0);
  });

  it('the example line in the card works as printed', async () => {
    // The card's own command, run as a maker would paste it (with this test's clock).
    const line = creds.example.replace(
      /"time":"[^"]+"/,
      `"time":"${new Date().toISOString().slice(0, 19)}Z"`,
    );
    const r = await run('sh', ['-c', line]);
    expect(r.code, r.stderr).toBe(0);
    // It carries no position: the reading takes the one picked on the map at registration.
    const mine = async () => {
      const text = await page.evaluate(async () => (await fetch('/api/v1/me/devices')).text());
      const { devices } = JSON.parse(text) as {
        devices: { lat: number; lon: number; latest: { flags: string[]; lat: number } | null }[];
      };
      return devices[0]!;
    };
    await expect
      .poll(async () => (await mine()).latest?.flags ?? [], { timeout: 10_000 })
      .toContain('position-registered');
    const box = await mine();
    expect(box.latest).toMatchObject({ lat: box.lat, lon: box.lon });
  });

  it('shows the box to nobody else: not on the map, not in the API, not by name', async () => {
    const anonymous = (await system.json('/api/v1/devices')) as { devices: { deviceId: string }[] };
    expect(anonymous.devices.map((d) => d.deviceId)).not.toContain('home-box-1');
    const byName = await fetch(system.url('/api/v1/devices/home-box-1'));
    expect(byName.status).toBe(404);

    const other = await page
      .context()
      .browser()!
      .newContext({ viewport: { width: 1200, height: 800 } });
    const page2 = await other.newPage();
    await signUp(page2, system.url('/sign-in?lang=zh-TW'), 'neighbour@example.org');
    expect(await page2.textContent('[data-testid=my-boxes]')).toContain('還沒有盒子');
    const mine = await page2.evaluate(async () => (await fetch('/api/v1/me/devices')).text());
    expect(mine).toContain('"devices"');
    expect(mine).not.toContain('home-box-1');
    await page2.goto(system.url('/?lang=en'));
    await waitForReady(page2);
    const onMap = await page2.evaluate(async () => (await fetch('/api/v1/readings/latest')).text());
    expect(onMap).not.toContain('home-box-1');
    expect(onMap).not.toContain('23.5');
    await other.close();
  });
});
