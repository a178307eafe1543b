import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteRegistry, type Registry } from '@airbox/registry';
import { spawnUntil, stopChild, tempDir, waitFor } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { toOutboxMessage } from '../src/index.ts';
import { startReceiver, type Receiver } from './fixtures/receiver.ts';
import { event, subscription } from './fixtures/subscriptions.ts';

// node itself with tsx's loader, not the tsx command: that runs the script in a child of its
// own, which a SIGKILL of the command would leave running.
const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const dispatchArgs = (path: string) => ['--import', TSX_LOADER, CHILD, path];
const CHILD = fileURLToPath(new URL('./fixtures/dispatch-process.ts', import.meta.url));

let receiver: Receiver;
let registry: Registry;
let dir: { path: string; remove(): void };

afterEach(async () => {
  await receiver?.stop();
  await registry?.close();
  dir?.remove();
});

describe('kill -9 of the dispatcher while messages are in the outbox', () => {
  it('after a restart each message reaches the receiver once, in order per subscription', async () => {
    dir = tempDir('airbox-alerts-kill-');
    const path = join(dir.path, 'devices.db');
    registry = await openSqliteRegistry(path);
    receiver = await startReceiver();
    const subs = ['s1', 's2', 's3', 's4'].map((id) =>
      subscription(id, { type: 'webhook', url: receiver.url }),
    );
    const keys: string[] = [];
    for (let n = 0; n < 5; n++) {
      for (const sub of subs) {
        const e = event(sub, n);
        await registry.alertOutbox.enqueue(toOutboxMessage(e, sub));
        keys.push(e.key);
      }
    }
    // Six are answered; the next ones hang, as a receiver that stalls mid-stream.
    receiver.holdAfter = 6;
    const first = await spawnUntil(process.execPath, dispatchArgs(path), /dispatching/);
    await waitFor(
      'six marked delivered',
      async () => {
        const delivered = await registry.alertOutbox.listRecent({ state: 'delivered', limit: 100 });
        return delivered.length === 6 && receiver.seen.length > 6;
      },
      20_000,
    );
    await stopChild(first.child, 'SIGKILL');
    expect((await registry.alertOutbox.listRecent({ state: 'pending', limit: 100 })).length).toBe(
      14,
    );

    receiver.holdAfter = Infinity;
    const second = await spawnUntil(process.execPath, dispatchArgs(path), /dispatching/);
    try {
      await waitFor('all 20 accepted', () => receiver.accepted.length >= 20 || undefined, 30_000);
      await waitFor(
        'all 20 delivered',
        async () =>
          (await registry.alertOutbox.listRecent({ state: 'delivered', limit: 100 })).length === 20,
        10_000,
      );
    } finally {
      await stopChild(second.child);
    }
    const accepted = receiver.accepted.map((r) => r.headers['x-airbox-delivery'] as string);
    expect(accepted.slice().sort()).toEqual(keys.slice().sort());
    for (const sub of subs) {
      expect(accepted.filter((k) => k.startsWith(`${sub.id}:`))).toEqual(
        keys.filter((k) => k.startsWith(`${sub.id}:`)),
      );
    }
    // The held ones were seen before the kill and again after it: resent, not lost.
    expect(receiver.seen.length).toBeGreaterThan(20);
  });
});
