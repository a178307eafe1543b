import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '@airbox/registry';
import { ApiError } from '../errors.ts';
import { principalOf, sentApiKey } from './principal.ts';

/**
 * What an API key may take: requests a minute (the rate limit, keyed by the key instead of
 * the address, rateLimitKey) and response bytes a UTC day (counted here from the bytes the
 * socket wrote for each answer, streamed CSV included). Over the day's bytes, a 429 until
 * midnight UTC. Counts are this process's own.
 */
const DAY_MS = 86_400_000;

interface DayCount {
  day: number;
  bytes: number;
}

/** The rate-limit bucket of a request: its API key's, else its address's. */
export async function rateLimitKey(registry: Registry | undefined, req: FastifyRequest) {
  if (registry === undefined || sentApiKey(req) === null) return { key: req.ip, perMinute: null };
  const who = await principalOf(registry, req);
  return who?.via === 'key'
    ? { key: `key:${who.key.id}`, perMinute: who.key.perMinute }
    : { key: req.ip, perMinute: null };
}

export function installKeyQuota(app: FastifyInstance, registry: Registry, now: () => number): void {
  const used = new Map<string, DayCount>();
  const startBytes = new WeakMap<FastifyRequest, number>();
  const today = () => Math.floor(now() / DAY_MS);

  // Before the rate limit: a bad key is a 401 here, not an anonymous request.
  app.addHook('onRequest', async (req) => {
    if (sentApiKey(req) === null) return;
    const who = await principalOf(registry, req);
    if (who?.via !== 'key') return;
    const count = used.get(who.key.id);
    if (count !== undefined && count.day === today() && count.bytes >= who.key.bytesPerDay) {
      const retryAfterS = Math.ceil(((today() + 1) * DAY_MS - now()) / 1000);
      throw new ApiError(
        429,
        'quota-exceeded',
        `this API key has read its ${who.key.bytesPerDay} bytes for today (UTC); more after midnight UTC`,
        { 'Retry-After': String(retryAfterS) },
      );
    }
    startBytes.set(req, req.raw.socket.bytesWritten);
  });
  app.addHook('onResponse', async (req) => {
    const start = startBytes.get(req);
    if (start === undefined) return;
    const who = await principalOf(registry, req);
    if (who?.via !== 'key') return;
    const day = today();
    const prior = used.get(who.key.id);
    const bytes = (prior?.day === day ? prior.bytes : 0) + (req.raw.socket.bytesWritten - start);
    used.set(who.key.id, { day, bytes });
  });
}
