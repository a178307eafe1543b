import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `serve --heap-growth-percent`: under churn that promotes short-lived objects (what many
 * connections opened and closed leave), the heap a process holds stays near its live size
 * instead of growing to V8's own factor (up to 4×) first. Each run is a child process with
 * a 4 GB heap limit, where V8 picks its largest factor whatever this machine's memory.
 */
const CHURN = (percent: number) => `
  import { limitHeapGrowth } from './src/heap-growth.ts';
  limitHeapGrowth(${JSON.stringify(String(percent))});
  const live = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'x'.repeat(40) + i }));
  const ring = new Array(20_000);
  let peak = 0;
  for (let k = 0; k < 1_500_000; k++) {
    ring[k % ring.length] = { a: new Array(40).fill(k), b: 'y'.repeat(80) + k };
    if (k % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
  }
  console.log(JSON.stringify({ peak, live: live.length }));`;

async function peakHeapBytes(percent: number): Promise<number> {
  const cli = fileURLToPath(new URL('..', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--max-old-space-size=4096', '--import', 'tsx', '--input-type=module', '-e', CHURN(percent)],
    { cwd: cli },
  );
  return (JSON.parse(stdout) as { peak: number }).peak;
}

describe('limitHeapGrowth', () => {
  it('keeps the heap under churn well below what V8 lets it grow to by itself', async () => {
    const own = await peakHeapBytes(0);
    const limited = await peakHeapBytes(50);
    expect(limited).toBeLessThan(own * 0.7);
  }, 60_000);

  it('refuses a value that is not a whole percentage, naming the flag', async () => {
    const { limitHeapGrowth } = await import('../src/heap-growth.ts');
    expect(() => limitHeapGrowth('fast')).toThrow(/--heap-growth-percent .*'fast'/);
    expect(() => limitHeapGrowth('-5')).toThrow(/--heap-growth-percent/);
  });
});
