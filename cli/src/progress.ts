import type { CliIo } from './io.ts';

/**
 * Progress on stderr for long runs: a line every `intervalMs` while work goes on, only when
 * stderr is a terminal (piped output stays clean). Checking the clock every 1024 ticks
 * keeps it off the hot path.
 */
export function progressReporter(
  io: CliIo,
  label: string,
  status: () => string,
  intervalMs = 2000,
) {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let count = 0;
  let last = io.now();
  let shown = false;
  return {
    tick() {
      if (!tty || ++count % 1024 !== 0) return;
      const now = io.now();
      if (now - last < intervalMs) return;
      last = now;
      shown = true;
      io.stderr.write(`\r${label}: ${status()}…`);
    },
    done() {
      if (shown) io.stderr.write('\n');
    },
  };
}
