import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  specJson,
  toOutboxMessage,
  type AlertEvent,
  type StoredSpec,
  type Subscription,
} from '@airbox/alerts';
import { openSqliteRegistry, type Registry } from '@airbox/registry';
import {
  ServeProcess,
  freePort,
  startSmtpServer,
  tempDir,
  waitFor,
  type TestSmtpServer,
} from '@airbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlertTest } from '../src/commands/alerts.ts';
import { jsonLines, runCli } from './run.ts';
import { subscription as fixture } from '../../alerts/test/fixtures/subscriptions.ts';

/**
 * `airbox serve` delivers what is in its registry's outbox: a webhook to a receiver on
 * 127.0.0.1 (allowed by --webhook-allow-private), a mail through a real SMTP server, the
 * area alert in /alerts.atom; `airbox alerts test` and `alerts outbox` beside it.
 */
const dir = tempDir('alerts-delivery-serve');
let smtp: TestSmtpServer;
let serve: ServeProcess;
let registry: Registry;
let receiver: Server;
const hooks: { key: string; signature: string }[] = [];
let hookUrl = '';

/** A webhook subscription to the receiver below, about box-1 (the shared fixture's shape). */
const subscription = (id: string, patch: Partial<Subscription>): Subscription =>
  fixture(
    id,
    { type: 'webhook', url: hookUrl },
    { target: { deviceId: 'box-1' }, locale: 'en', ...patch },
  );

/** What the registry keeps of a subscription beside its owner, state and secret. */
function specOf(s: Subscription): StoredSpec {
  const { target, kind, channel, locale, quietHours, thresholdUgM3, forMinutes } = s;
  const { clearBelowUgM3, clearForMinutes, averaging, scale, category, offlineAfterMinutes } = s;
  return {
    ...{ target, kind, channel, locale, quietHours, thresholdUgM3, forMinutes },
    ...{ clearBelowUgM3, clearForMinutes, averaging, scale, category, offlineAfterMinutes },
  } as StoredSpec;
}

/**
 * A subscription kept in the registry, as the API makes one: delivery asks the registry
 * whether a message's subscription is still on before it sends.
 */
async function stored(patch: Partial<Subscription>): Promise<Subscription> {
  const account = await registry.accounts.create({
    email: `owner-${Math.random().toString(36).slice(2)}@example.org`,
    password: 'a long enough passphrase',
    displayName: 'Owner',
  });
  const owner = { kind: 'account' as const, id: account.id };
  const draft = subscription('draft', { ...patch, owner });
  const made = await registry.alerts.create({
    owner,
    kind: draft.kind,
    spec: specJson(specOf(draft)),
  });
  return { ...draft, id: made.id, secret: made.secret };
}

function alertOf(s: Subscription, label: string): AlertEvent {
  return {
    key: `${s.id}:alert:1`,
    subscriptionId: s.id,
    type: 'alert',
    kind: 'threshold',
    at: '2026-12-08T01:00:00.000Z',
    deviceIds: ['box-1'],
    targetLabel: label,
    valueUgM3: 58,
    thresholdUgM3: 35,
    category: null,
  };
}

beforeAll(async () => {
  const port = await freePort();
  hookUrl = `http://127.0.0.1:${port}/hook`;
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hooks.push({
        key: String(req.headers['x-airbox-delivery']),
        signature: String(req.headers['x-airbox-signature']),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', () => r()));
  smtp = await startSmtpServer();
  serve = new ServeProcess(dir.path, [
    '--no-refit',
    '--webhook-allow-private',
    '--smtp-url',
    smtp.url,
    '--public-url',
    'https://air.example.org/',
  ]);
  await serve.start();
  registry = await openSqliteRegistry(join(dir.path, 'devices.db'));
});

afterAll(async () => {
  await registry?.close();
  await serve?.stop();
  await smtp?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  dir.remove();
});

describe('airbox serve delivers its outbox', () => {
  it('sends a webhook and a mail put in the outbox, and lists an area alert in /alerts.atom', async () => {
    const hook = await stored({});
    const mail = await stored({
      channel: { type: 'email', address: 'school@example.org' },
      locale: 'zh-TW',
      target: { area: { county: '臺中市' } },
    });
    await registry.alertOutbox.enqueue(toOutboxMessage(alertOf(hook, 'Box 1'), hook));
    await registry.alertOutbox.enqueue(toOutboxMessage(alertOf(mail, '臺中市'), mail));
    await waitFor('the webhook', () => hooks.find((h) => h.key === `${hook.id}:alert:1`), 15_000);
    const got = await smtp.waitFor((m) => m.to.includes('school@example.org'), 15_000);
    expect(got.subject).toBe('PM2.5 警報：臺中市 58 µg/m³');
    expect(got.text).toContain('https://air.example.org/alerts/unsubscribe?token=');
    const feed = await fetch(serve.httpUrl('/alerts.atom'));
    expect(feed.status).toBe(200);
    const xml = await feed.text();
    expect(xml).toContain('<areaDesc>臺中市</areaDesc>');
    expect(xml).not.toContain(hook.id);
    await waitFor(
      'both delivered',
      async () => {
        const out = await runCli(['alerts', 'outbox', '--data-dir', dir.path]);
        const rows = jsonLines(out.stdout);
        return rows.length === 2 && rows.every((r) => r['state'] === 'delivered');
      },
      10_000,
    );
    const pending = await runCli(['alerts', 'outbox', '--pending', '--data-dir', dir.path]);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toBe('');
  });

  it('alerts test: a test message delivered by the running server, its outcome printed', async () => {
    const s = subscription('sub-test', {});
    const out: string[] = [];
    const io = {
      stdin: process.stdin,
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => out.push(t) },
      now: Date.now,
    } as unknown as Parameters<typeof runAlertTest>[2];
    const code = await runAlertTest(registry, s, io, 15_000);
    expect(code).toBe(0);
    const line = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      subscriptionId: 'sub-test',
      type: 'test',
      state: 'delivered',
      channel: 'webhook',
    });
    expect(hooks.some((h) => h.key === line['key'])).toBe(true);
  });
});
