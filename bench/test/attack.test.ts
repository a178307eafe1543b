import { describe, expect, it } from 'vitest';
import { AIRBOX_BIN } from '@airbox/testkit';
import { runAttackBench } from '../src/attack-bench.ts';

/**
 * `airbox bench attack`, small: the same code as the full run, two cheap attacks with small
 * sizes. It checks what was reported and that the server survived; how much memory and time
 * the attacks cost is the benchmark's to measure, not this test's.
 */
describe('airbox bench attack, small', () => {
  it(
    'reports each attack with its RSS, CPU, health and the well-behaved box, and the server survives',
    { timeout: 120_000 },
    async () => {
      const progress: string[] = [];
      const r = await runAttackBench({
        airbox: [process.execPath, AIRBOX_BIN],
        only: ['huge-connect', 'dead-letters'],
        sizes: {
          connectSockets: 2,
          connectMaxBytes: 4 * 1024 * 1024,
          chunkBytes: 256 * 1024,
          refusedClients: 3,
          refusedS: 1,
          deadLetterRequests: 2,
          deadLetterLimit: 100,
        },
        progress: (m) => progress.push(m),
      });

      expect(r.bench).toBe('attack');
      expect(r.attacks.map((a) => [a.name, a.serve])).toEqual([
        ['huge-connect', 'fresh'],
        ['dead-letters', 'after refused-publishes (run first, unmeasured)'],
      ]);
      for (const a of r.attacks) {
        expect(a.error).toBeNull();
        expect(a.serverAlive).toBe(true);
        expect(a.idleRssBytes).toBeGreaterThan(0);
        expect(a.peakRssBytes).toBeGreaterThanOrEqual(a.afterRssBytes);
        expect(a.health.polls).toBeGreaterThan(0);
        expect(a.health.failures).toBe(0);
        expect(a.goodBox).toMatchObject({ connected: true, stored: true });
        expect(a.counters).not.toBeNull();
        expect(typeof a.withinTarget).toBe('boolean');
      }
      const [connect, letters] = r.attacks;
      // The packet guard closes each socket from the CONNECT's header.
      expect(connect!.details).toMatchObject({ connections: 2, closedByServer: 2 });
      // Refused-publishes left letters; the operator and the boxes read them, anyone else not.
      expect(letters!.details).toMatchObject({
        operatorStatuses: '200',
        boxStatuses: '200',
        anonymousRefused: 2,
        anonymousRequests: 2,
      });
      expect(letters!.details['operatorLetters']).toBeGreaterThan(0);
      expect(letters!.details['boxLetters']).toBeGreaterThan(0);
      expect(progress.some((m) => m.startsWith('refused-publishes first, unmeasured'))).toBe(true);
    },
  );
});
