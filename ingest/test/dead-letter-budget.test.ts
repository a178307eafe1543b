import { describe, expect, it } from 'vitest';
import { openSqliteStore, type DeadLetter } from '@airbox/store';
import { DeadLetterBudget, StreamWorker } from '../src/index.ts';

const T0 = Date.UTC(2026, 10, 27, 8, 0);
const KB64 = new Uint8Array(64 * 1024);

function letter(clientId: string | null, payload = KB64): DeadLetter {
  return {
    receivedAt: new Date(T0).toISOString(),
    topic: 'airbox/v1/box/config',
    payload,
    clientId,
    code: 'not-authorized',
    reason: 'devices may not publish config',
  };
}

describe('DeadLetterBudget', () => {
  it('keeps at most its bytes per client an hour, counts the rest, and starts afresh each hour', () => {
    const clock = { ms: T0 };
    const budget = new DeadLetterBudget({
      bytesPerClientPerHour: 1024 * 1024,
      now: () => clock.ms,
    });
    const kept = Array.from({ length: 40 }, () => budget.admit(letter('box-a'))).filter(Boolean);
    expect(kept).toHaveLength(15); // 15 × (64 KiB + topic + reason) ≤ 1 MiB < 16 ×
    expect(budget.admit(letter('box-b'))).toBe(true); // another client has its own
    const report = budget.report();
    expect(report.clients[0]).toMatchObject({
      clientId: 'box-a',
      keptLetters: 15,
      droppedLetters: 25,
    });
    expect(report.clients[0]!.keptBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(report).toMatchObject({ keptTotal: 16, droppedOverBudgetTotal: 25 });
    expect(budget.droppedTotal).toBe(25);

    clock.ms += 3_600_000;
    expect(budget.admit(letter('box-a'))).toBe(true);
    expect(budget.report().clients).toEqual([
      expect.objectContaining({ clientId: 'box-a', keptLetters: 1, droppedLetters: 0 }),
    ]);
  });

  it('keeps at most lettersPerS a second over all clients, after a burst', () => {
    const clock = { ms: T0 };
    const budget = new DeadLetterBudget({ lettersPerS: 10, burst: 20, now: () => clock.ms });
    const small = new Uint8Array(10);
    const burst = Array.from({ length: 300 }, (_, i) => budget.admit(letter(`c${i}`, small)));
    expect(burst.filter(Boolean)).toHaveLength(20);
    clock.ms += 1_000;
    const next = Array.from({ length: 300 }, (_, i) => budget.admit(letter(`d${i}`, small)));
    expect(next.filter(Boolean)).toHaveLength(10);
    expect(budget.counters).toEqual({ kept: 30, droppedOverBudget: 0, droppedOverRate: 570 });
  });

  it('tracks a bounded number of client ids; the others share one budget', () => {
    const budget = new DeadLetterBudget({
      maxClients: 3,
      bytesPerClientPerHour: 200_000,
      lettersPerS: 1e6,
      now: () => T0,
    });
    for (let i = 0; i < 1_000; i++) budget.admit(letter(`made-up-${i}`));
    const { clients } = budget.report();
    expect(clients).toHaveLength(4);
    const shared = clients.find((c) => c.clientId === null);
    expect(shared).toMatchObject({ keptLetters: 3, droppedLetters: 994 });
  });
});

describe('the stream worker’s dead letters', () => {
  it('belong to the box the topic names, and go through the budget', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const budget = new DeadLetterBudget({ bytesPerClientPerHour: 100_000, now: () => T0 });
    const worker = new StreamWorker({ store, now: () => T0, deadLetterBudget: budget });
    for (let i = 0; i < 5; i++) {
      await worker.handle({
        topic: 'airbox/v1/box-7/reading',
        payload: Buffer.alloc(40_000, '{'),
        clientId: 'box-7-pub',
        receivedAtMs: T0 + i,
      });
    }
    const letters = await store.deadLetters({ deviceId: 'box-7' });
    expect(letters.map((l) => [l.code, l.clientId])).toEqual([
      ['invalid-json', 'box-7-pub'],
      ['invalid-json', 'box-7-pub'],
    ]);
    expect(budget.counters.droppedOverBudget).toBe(3);
    expect(worker.counters.deadLetters).toBe(5);
    await store.close();
  });
});

describe('a worker fed by MQTT (no client ids)', () => {
  it('gives each box its own budget', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const budget = new DeadLetterBudget({ bytesPerClientPerHour: 100_000, now: () => T0 });
    const worker = new StreamWorker({ store, now: () => T0, deadLetterBudget: budget });
    for (const box of ['box-1', 'box-2']) {
      for (let i = 0; i < 3; i++) {
        await worker.handle({
          topic: `airbox/v1/${box}/reading`,
          payload: Buffer.alloc(40_000, '{'),
          clientId: null,
          receivedAtMs: T0 + i,
        });
      }
    }
    const kept = (await store.deadLetters()).map((l) => l.deviceId);
    expect(kept.sort()).toEqual(['box-1', 'box-1', 'box-2', 'box-2']);
    expect(budget.report().clients.map((c) => [c.clientId, c.droppedLetters])).toEqual([
      ['box-1', 1],
      ['box-2', 1],
    ]);
    await store.close();
  });
});
