import { Redis } from 'ioredis';

/**
 * A Redis connection that is up before it is returned: a wrong URL or a Redis that is down
 * fails here with an error naming the URL, not later as a stream of reconnect warnings.
 * After that ioredis reconnects by itself (commands wait in its offline queue).
 */
export async function connectRedis(
  url: string,
  name: string,
  /** Broker side: fail a command after a few retries, so the PUBLISH is not acknowledged. */
  opts: { failFast?: boolean } = {},
): Promise<Redis> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Redis URL '${url}' is not a URL (expected redis://host:6379/0)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`Redis URL '${url}' must start with redis:// or rediss://`);
  }
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    maxRetriesPerRequest: opts.failFast ? 2 : null,
    // Broker: appends issued in one tick go in one write (11.6k → 16.9k messages/s measured).
    // Not for workers: a blocking XREADGROUP must not share a pipeline.
    enableAutoPipelining: opts.failFast ?? false,
  });
  // Until connected, errors are ours to report; afterwards ioredis retries on its own.
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (e) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${redactUrl(url)}: ${(e as Error).message}`);
  }
  return redis;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
