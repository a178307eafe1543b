import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The browser app: root web/app, output web/dist (served by `createApi`'s app routes).
 * `pnpm exec vite --config web/vite.config.ts` serves it with hot reload, proxying the API
 * and the live stream to an `airbox serve` on :8080 (AIRBOX_API overrides).
 */
const api = process.env['AIRBOX_API'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./app', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // maplibre-gl and deck.gl are large by nature; they load only on the map page.
    chunkSizeWarningLimit: 2_500,
    reportCompressedSize: false,
    rollupOptions: {
      // zod's sources carry esbuild-style /* @__PURE__ */ comments Rollup cannot place.
      onwarn: (warning, warn) =>
        warning.code === 'INVALID_ANNOTATION' ? undefined : warn(warning),
    },
  },
  server: {
    proxy: {
      '/api': { target: api, ws: true },
      '/app/': api,
      '/healthz': api,
    },
  },
});
