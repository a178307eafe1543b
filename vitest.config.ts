import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{packages/*,firmware-sim,ingest,calibrate,alerts,health,web,bench,cli}/test/**/*.test.ts',
    ],
    // Integration tests start real servers; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
