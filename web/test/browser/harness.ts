import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { run, ServeProcess, tempDir, AIRBOX_BIN, waitForLogin } from '@airbox/testkit';
import { decodePng, pixelAt } from './png.ts';

export const CHROMIUM = '/usr/bin/chromium';
const APP_INDEX = fileURLToPath(new URL('../../dist/index.html', import.meta.url));

/** TOOLING.md: headless Chromium with WebGL2 on SwiftShader, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Why the browser tests cannot run here, or '' when they can. Like testkit's
 * requireBinary: a missing Chromium or mosquitto_pub skips locally, but fails in CI.
 */
export async function browserSkipReason(): Promise<string> {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install -y chromium)`);
  if ((await run('sh', ['-c', 'command -v mosquitto_pub'])).code !== 0) {
    missing.push('mosquitto_pub (apt-get install -y mosquitto-clients)');
  }
  if (missing.length === 0) return '';
  const reason = `skipped: ${missing.join(' and ')} not installed`;
  if (process.env['CI']) throw new Error(`${reason} — the CI set-up should have installed it`);
  console.warn(reason);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface Credentials {
  deviceId: string;
  username: string;
  password: string;
}

/** The real system: `airbox serve` on a temp data dir, with the built app. */
export class System {
  readonly serve: ServeProcess;
  private readonly dir = tempDir('browser');

  /** `serveArgs`: extra `airbox serve` flags (e.g. a short --health-every). */
  constructor(serveArgs: string[] = []) {
    this.serve = new ServeProcess(this.dir.path, serveArgs);
  }

  async start(): Promise<void> {
    if (!existsSync(APP_INDEX)) {
      throw new Error(
        `${APP_INDEX} is missing: run 'node scripts/build.mjs' first (it builds the app)`,
      );
    }
    await this.serve.start();
  }

  async stop(): Promise<void> {
    await this.serve.stop();
    this.dir.remove();
  }

  url(path: string): string {
    return this.serve.httpUrl(path);
  }

  async addDevice(deviceId: string): Promise<Credentials> {
    const creds = JSON.parse(await this.airbox(['device', 'add', deviceId])) as Credentials;
    await this.loginTaken(creds);
    return creds;
  }

  /**
   * Resolves once the running server takes the login: a box added by another process is
   * taken at its registry view's next poll (~1 s), as a real box would find by retrying.
   */
  async loginTaken(creds: Credentials): Promise<void> {
    const ports = this.serve.ports;
    if (ports !== null) await waitForLogin(`mqtt://127.0.0.1:${ports.mqtt}`, creds);
  }

  /** The real `airbox` binary on this system's data dir, as an operator runs it; its stdout. */
  async airbox(args: string[], input?: string): Promise<string> {
    const r = await run(process.execPath, [AIRBOX_BIN, ...args, '--data-dir', this.dir.path], {
      input,
    });
    if (r.code !== 0) throw new Error(`airbox ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** One native reading with Debian's mosquitto_pub (QoS 1: returns after the PUBACK). */
  async publish(
    creds: Credentials,
    reading: Record<string, unknown>,
    topicKind = 'reading',
  ): Promise<void> {
    const r = await this.publishText(
      creds,
      `airbox/v1/${creds.deviceId}/${topicKind}`,
      JSON.stringify(reading),
    );
    if (r.code !== 0) throw new Error(`mosquitto_pub for ${creds.deviceId} failed: ${r.stderr}`);
  }

  /** Any payload on any topic with mosquitto_pub, QoS 1; a refused one exits non-zero. */
  publishText(creds: Credentials, topic: string, message: string) {
    return run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.serve.ports?.mqtt),
      '-q',
      '1',
      '-i',
      `${creds.deviceId}-pub`,
      '-u',
      creds.username,
      '-P',
      creds.password,
      '-t',
      topic,
      '-m',
      message,
    ]);
  }

  async json(path: string, headers: Record<string, string> = {}): Promise<unknown> {
    const res = await fetch(this.url(path), { headers });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  }
}

/** A real system, Chromium and one page, shared by the tests of a describe block. */
export interface BrowserSession {
  readonly system: System;
  /** Set once the block's first beforeAll has run. */
  page: Page;
  /** What the page did that it should not (dialogs, script errors), since it opened. */
  seen: ReturnType<typeof watchPage>;
}

/**
 * `airbox serve` started and Chromium launched (side by side) before the block's tests, a
 * page opened, both stopped after. Call it first in the block: its beforeAll then runs
 * before the block's own (which registers devices and publishes).
 */
export function browserSession(serveArgs: string[] = []): BrowserSession {
  const system = new System(serveArgs);
  let browser: Browser | undefined;
  const session = { system } as BrowserSession;
  beforeAll(async () => {
    const started = system.start();
    browser = await launchBrowser();
    await started;
    session.page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    session.seen = watchPage(session.page);
  });
  afterAll(async () => {
    await browser?.close();
    await system.stop();
  });
  return session;
}

/** What a page did that it should not: dialogs opened, scripts failing, CSP violations. */
export function watchPage(page: Page): { dialogs: string[]; errors: string[] } {
  const seen = { dialogs: [] as string[], errors: [] as string[] };
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => {
    // The WebSocket 404 is expected while serve passes no live source (the app then polls).
    if (m.type() === 'error' && !/WebSocket|Failed to load resource/.test(m.text())) {
      seen.errors.push(m.text());
    }
  });
  return seen;
}

/** The colour the user sees at a point of the page (a screenshot, decoded). */
export async function screenPixel(
  page: Page,
  x: number,
  y: number,
): Promise<[number, number, number]> {
  const png = await page.screenshot({
    clip: { x: Math.round(x) - 1, y: Math.round(y) - 1, width: 3, height: 3 },
  });
  return pixelAt(decodePng(png), 1, 1);
}

export async function waitForReady(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__airbox !== undefined);
  await page.evaluate(() => window.__airbox?.ready);
}
