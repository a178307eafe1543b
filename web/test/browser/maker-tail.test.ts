import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  browserSession,
  browserSkipReason,
  waitForReady,
  watchPage,
  type BrowserSession,
  type Credentials,
} from './harness.ts';

/**
 * The device page's live tail of a box's raw MQTT messages, against the real system:
 * `airbox serve`, messages sent with Debian's mosquitto_pub, the page in Debian's Chromium.
 * What its owner, signed in, sees: each payload as sent, byte for byte, with what became of
 * it — stored, unreadable or refused — in English and in zh-TW, and a script in a payload
 * as text. Anyone else reads that the tail is the owner's, and sees none of it.
 */

const skip = await browserSkipReason();
const OWNER = 'maker@example.org';

async function signUp(page: Page, url: string, email: string): Promise<void> {
  await page.goto(url);
  await waitForReady(page);
  const form = page.locator('[data-testid=sign-up]');
  await form.locator('[data-testid=displayName]').fill('maker');
  await form.locator('[data-testid=email]').fill(email);
  await form.locator('[data-testid=password]').fill('correct horse battery');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/me\?lang=/);
}
const SCRIPT_APP = '<script>alert(3)</script>';

/** A LASS ver_format=3 line as an AirBox sends it, timed now (LASS date and time are UTC). */
function lassLine(deviceId: string, pm25: number): string {
  const now = new Date().toISOString();
  return `|ver_format=3|FAKE_GPS=1|app=AirBox|ver_app=5.0|device_id=${deviceId}|date=${now.slice(0, 10)}|time=${now.slice(11, 19)}|device=LinkItONE|s_d0=${pm25.toFixed(2)}|s_t0=24.00|s_h0=60.00|gps_lat=25.040|gps_lon=121.530`;
}

/** The tail's items as the page shows them, newest first. */
function tailItems(page: Page) {
  return page.$$eval('[data-testid=tail] li', (items) =>
    items.map((li) => ({
      outcome: li.getAttribute('data-outcome'),
      line: li.querySelector('p')?.textContent ?? '',
      text: li.querySelector('pre')?.textContent ?? '',
    })),
  );
}

describe.skipIf(skip !== '')('maker page: live tail of raw MQTT messages (Chromium)', () => {
  const session = browserSession();
  const { system } = session;
  let page: Page;
  let seen: BrowserSession['seen'];
  let box: Credentials;

  beforeAll(async () => {
    ({ page, seen } = session);
    await signUp(page, system.url('/sign-in?lang=en'), OWNER);
    box = JSON.parse(
      await system.airbox(['device', 'add', 'tail-box-1', '--owner', OWNER]),
    ) as Credentials;
    await system.loginTaken(box);
  });

  it('shows each message as sent within 2 s, with what became of it, also before anything is stored', async () => {
    await page.goto(system.url(`/device/${box.deviceId}?lang=en`));
    await waitForReady(page);
    expect(await page.textContent('[data-testid=nothing-stored]')).toContain(box.deviceId);
    expect(await page.textContent('[data-testid=tail-state]')).toBe('Waiting for the box to send…');

    const line = lassLine(box.deviceId, 17);
    const pub = await system.publishText(box, `LASS/Test/PM25/${box.deviceId}`, line);
    expect(pub.code).toBe(0);
    const publishedAt = Date.now();
    await page.waitForFunction(
      (expected) =>
        [...document.querySelectorAll('[data-testid=tail] pre')].some(
          (pre) => pre.textContent === expected,
        ),
      line,
      { timeout: 5_000 },
    );
    const latencyMs = Date.now() - publishedAt;
    console.info(`maker tail: raw message shown ${latencyMs} ms after mosquitto_pub returned`);
    expect(latencyMs).toBeLessThan(2_000);

    // Refused: devices may not publish their own config.
    const refused = await system.publishText(
      box,
      `airbox/v1/${box.deviceId}/config`,
      '{"intervalS":1}',
    );
    expect(refused.code).not.toBe(0);
    await page.waitForSelector('[data-testid=tail] li[data-outcome=refused]');

    await system.publish(box, {
      time: new Date().toISOString(),
      pm25UgM3: 12,
      app: SCRIPT_APP,
    });
    const unreadable = await system.publishText(box, `airbox/v1/${box.deviceId}/reading`, '{"pm25');
    expect(unreadable.code).toBe(0); // acknowledged: it is kept as a dead letter, not resent
    await expect.poll(async () => (await tailItems(page)).length).toBe(4);

    const [bad, scripted, config, lass] = await tailItems(page);
    // Refused and undecodable payloads too, as sent: the owner may read its dead letters.
    expect(bad).toMatchObject({ outcome: 'dead-letter', text: '{"pm25' });
    expect(bad!.line).toContain('not readable, kept as a dead letter invalid-json');
    expect(scripted!.outcome).toBe('stored');
    expect(scripted!.text).toContain(SCRIPT_APP);
    expect(lass).toMatchObject({ outcome: 'stored', text: line });
    expect(lass!.line).toContain(`LASS/Test/PM25/${box.deviceId}`);
    expect(lass!.line).toContain('stored: 1 new, 0 already stored');
    expect(config).toMatchObject({ outcome: 'refused', text: '{"intervalS":1}' });
    expect(config!.line).toContain('set by the server');
    expect(await page.locator('[data-testid=tail] script').count()).toBe(0);

    // The same bytes the store kept as the dead letter, which the box's owner may read.
    const letters = (await system.json(`/api/v1/devices/${box.deviceId}/dead-letters?limit=10`, {
      authorization: `Basic ${Buffer.from(`${box.username}:${box.password}`).toString('base64')}`,
    })) as {
      deadLetters: { code: string; payloadText: string; clientId: string }[];
    };
    expect(
      letters.deadLetters.find(
        (l) => l.code === 'invalid-json' && l.clientId.startsWith(box.deviceId),
      ),
    ).toMatchObject({ payloadText: '{"pm25' });
    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  it('opens in zh-TW with the last three messages the server kept', async () => {
    await page.goto(system.url(`/device/${box.deviceId}?lang=zh-TW`));
    await waitForReady(page);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-TW');
    await expect.poll(async () => (await tailItems(page)).length).toBe(3);
    const [bad, scripted, config] = await tailItems(page);
    expect(bad!.line).toContain('無法解讀，已存為無效訊息');
    expect(scripted!.line).toContain('已儲存：新增 1 筆');
    expect(config!.line).toContain('已拒絕');
    expect(await page.textContent('[data-testid=raw-tail] h2')).toBe('即時 MQTT 訊息');
    expect(seen.dialogs).toEqual([]);
  });

  it('tells anyone else the tail is the owner’s; the box password opens it and the refused messages', async () => {
    const stranger = await page.context().browser()!.newPage();
    const strangerSeen = watchPage(stranger);
    await stranger.goto(system.url(`/device/${box.deviceId}?lang=zh-TW`));
    await waitForReady(stranger);
    await stranger.waitForSelector('[data-testid=tail-state][data-refused]');
    expect(await stranger.textContent('[data-testid=tail-state]')).toContain('只給盒子的擁有者');
    await stranger.goto(system.url(`/device/${box.deviceId}?lang=en`));
    await waitForReady(stranger);
    await stranger.waitForSelector('[data-testid=tail-state][data-refused=not-signed-in]');
    expect(await stranger.textContent('[data-testid=tail-state]')).toContain(
      'is for the box’s owner',
    );
    expect(await stranger.locator('[data-testid=tail] li').count()).toBe(0);
    expect(await stranger.locator('[data-testid=refused]').count()).toBe(0);
    await stranger.fill('[data-testid=owner] input[name=password]', box.password);
    await stranger.click('[data-testid=owner] button[type=submit]');
    await stranger.waitForSelector('[data-testid=refused] li');
    // The box's password opens its tail too, as sent (read with fetch: it carries the password).
    await expect.poll(async () => (await tailItems(stranger)).length).toBe(3);
    expect((await tailItems(stranger))[0]).toMatchObject({
      outcome: 'dead-letter',
      text: '{"pm25',
    });
    const items = await stranger.$$eval('[data-testid=refused] li', (lis) =>
      lis.map((li) => ({
        code: li.querySelector('code')?.textContent ?? '',
        text: li.querySelector('pre')?.textContent ?? '',
      })),
    );
    // The undecodable reading (the worker's) and the refused config (the broker's), newest first.
    expect(items).toEqual([
      { code: 'invalid-json', text: '{"pm25' },
      { code: 'not-authorized', text: '{"intervalS":1}' },
    ]);
    expect(strangerSeen.errors).toEqual([]);
    await stranger.close();
  });
});
