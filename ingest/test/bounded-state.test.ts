import { describe, expect, it } from 'vitest';
import { AnonymousIds } from '../src/broker/anonymous-ids.ts';
import { defaultMaxConnections, FALLBACK_MAX_CONNECTIONS } from '../src/broker/connection-caps.ts';
import { publisherKey, type PublishContext } from '../src/broker/checks/context.ts';
import { DeviceBuckets } from '../src/broker/rate-limit.ts';

/** The state the broker keeps per device has a bound, and dropping from it loses nothing. */
describe('DeviceBuckets', () => {
  it('keeps at most maxBuckets, dropping the least recently used', () => {
    const buckets = new DeviceBuckets(5, 20, 3);
    for (const id of ['a', 'b', 'c', 'd']) buckets.take(id, 0);
    expect(buckets.size).toBe(3);
  });

  it('drops a bucket once it is full again, which changes nothing', () => {
    const buckets = new DeviceBuckets(5, 20);
    for (let i = 0; i < 20; i++) expect(buckets.take('a', 0)).toBe(true);
    expect(buckets.take('a', 0)).toBe(false);
    expect(buckets.take('b', 3_000)).toBe(true); // 'a' has 15 tokens back: kept
    expect(buckets.size).toBe(2);
    expect(buckets.take('b', 4_100)).toBe(true); // 'a' full again since 4 s: dropped
    expect(buckets.size).toBe(1);
  });
});

describe('AnonymousIds', () => {
  it('takes new ids up to the budget, known ones always', () => {
    const ids = new AnonymousIds(3, 0);
    expect(['a', 'b', 'c', 'd'].map((id) => ids.admit(id, 0))).toEqual([true, true, true, false]);
    expect(ids.admit('a', 1000)).toBe(true);
    expect(ids.admit('e', 20_000)).toBe(true); // a minute's budget refills 3 in 60 s
    expect(ids.size).toBe(4);
  });

  it('forgets an id not heard from for an hour', () => {
    const ids = new AnonymousIds(600, 0);
    ids.admit('a', 0);
    ids.admit('b', 3_000_000);
    expect(ids.size).toBe(2);
    ids.admit('b', 3_700_000);
    expect(ids.size).toBe(1);
  });
});

describe('defaultMaxConnections', () => {
  const limits = (soft: string) =>
    `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${soft}                20000                files     \n`;

  it('is the open-files soft limit less 10 % or 1,024, whichever is larger', () => {
    expect(defaultMaxConnections(limits('20000'))).toBe(18_000);
    expect(defaultMaxConnections(limits('4096'))).toBe(3072);
  });

  it('falls back when the limit is unknown or unlimited', () => {
    expect(defaultMaxConnections(null)).toBe(FALLBACK_MAX_CONNECTIONS);
    expect(defaultMaxConnections(limits('unlimited'))).toBe(FALLBACK_MAX_CONNECTIONS);
  });
});

describe('the key of per-device state', () => {
  it('is a digest for a claimed id longer than a device id, so a 64 KB claim costs 23 bytes', () => {
    const ids = new AnonymousIds(600, 0);
    const long = 'x'.repeat(65_000);
    expect(ids.admit(publisherKey(anonymous(long)), 0)).toBe(true);
    expect(publisherKey(anonymous(long))).toMatch(/^#[\w-]{22}$/);
    expect(publisherKey(anonymous('LASS-Hello1'))).toBe('LASS-Hello1');
  });
});

/** An anonymous LASS PUBLISH claiming `deviceId`, as the publish checks see it. */
function anonymous(deviceId: string): PublishContext {
  return {
    client: { id: 'anon' } as PublishContext['client'],
    who: { role: 'anonymous-lass' },
    topic: 'LASS/Test/PM25',
    payload: Buffer.alloc(0),
    retain: false,
    receivedAtMs: 0,
    parsed: { family: 'lass', topic: 'LASS/Test/PM25' },
    lassDeviceId: deviceId,
  };
}
