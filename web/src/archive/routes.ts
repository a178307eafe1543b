import fastifyStatic from '@fastify/static';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { getRoute, type RouteContext } from '../routes/define.ts';
import { archivedDays } from './archive-day.ts';
import { manifestPath } from './layout.ts';
import { readManifest } from './manifest.ts';

/**
 * The daily archive as files under /archive/ (HTTP range requests on every one, so DuckDB,
 * pyarrow and R read the Parquet straight from its URL) and the list of days for the
 * download page. Until ApiOptions.archiveDir is given, neither is served.
 */
export function archiveRoutes(ctx: RouteContext): void {
  const root = ctx.options.archiveDir;
  if (root === undefined) return;
  mkdirSync(root, { recursive: true });
  void ctx.app.register(fastifyStatic, {
    root,
    prefix: '/archive/',
    decorateReply: false,
    index: false,
    acceptRanges: true,
    setHeaders: (reply, path) => {
      // A version's files never change (a new version is a new folder); a manifest may.
      const immutable = /\/version=\d+\//.test(path);
      void reply.header(
        'Cache-Control',
        immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      void reply.header('Access-Control-Allow-Origin', '*');
      if (path.endsWith('.parquet'))
        void reply.header('Content-Type', 'application/vnd.apache.parquet');
    },
  });
  getRoute(
    ctx,
    {
      url: '/api/v1/archive/days',
      tag: 'open data',
      summary: 'the days of the daily archive, newest first',
      description:
        'Each day archived (UTC), with its current version, rows, boxes and the URL of its manifest (`/archive/v1/date=YYYY-MM-DD/manifest.json`, which lists every file with its `path` under `/archive/`, `rows` and `sha256`).',
      query: z.object({ limit: z.coerce.number().int().min(1).max(3660).default(90) }),
      responses: { 200: { description: 'the days', media: ['application/json'] } },
    },
    async ({ query }) => {
      const days = (await archivedDays(root)).slice(0, query.limit);
      const listed = await Promise.all(
        days.map(async (day) => {
          const m = await readManifest(join(root, manifestPath(day)));
          return m === null
            ? null
            : {
                day,
                version: m.version,
                rows: m.rows,
                devices: m.devices,
                createdAt: m.createdAt,
                manifest: `/archive/${manifestPath(day)}`,
              };
        }),
      );
      return { days: listed.filter((d) => d !== null) };
    },
  );
}
