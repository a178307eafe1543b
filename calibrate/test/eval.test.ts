import { sharedData } from '@airbox/testkit';
import { describe, expect, it } from 'vitest';
import { evaluate, readPairFile } from '../src/index.ts';

const purpleAir = sharedData('colocation/purpleair-aqs-daily-train.csv', 'GPL-3.0');

describe('PurpleAir–AQS daily pairs (9 sensors, 2021–2023)', () => {
  it.skipIf(purpleAir.path === null)(
    `leave-one-sensor-out: the picked method beats the EPA nationwide correction and meets the EPA targets ${purpleAir.skipReason}`,
    async () => {
      const file = await readPairFile(purpleAir.path ?? '', 'purpleair-daily');
      expect(file.sites).toHaveLength(9);
      const report = evaluate(file, file);
      const losoOf = (id: string) => report.methods.find((m) => m.id === id)?.loso;
      const picked = losoOf(report.picked.id);
      const epa = losoOf('epa-barkjohn-2021@1');
      console.log(
        `LOSO pooled RMSE: picked ${report.picked.id} ${picked?.metrics.rmseUgM3.toFixed(3)} µg/m³, ` +
          `EPA nationwide ${epa?.metrics.rmseUgM3.toFixed(3)} µg/m³ (${report.picked.reason})`,
      );
      expect(report.picked.fallback).toBe(false);
      expect(picked?.meetsTargets).toBe(true);
      expect(picked?.metrics.rmseUgM3).toBeLessThan(epa?.metrics.rmseUgM3 ?? 0);
    },
  );
});
