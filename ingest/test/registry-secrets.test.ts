import { describe, expect, it } from 'vitest';
import { DeviceRegistry } from '../src/registry.ts';

describe('device secrets', () => {
  it('never start with "-", which a command line would read as an option', () => {
    const registry = new DeviceRegistry(':memory:');
    const ids = Array.from({ length: 2000 }, (_, i) => `box-${i}`);
    const creds = registry.issueMany(ids);
    // Without the rule about 1 in 64 would (base64url's 63rd letter is '-').
    expect(creds.filter((c) => c.password.startsWith('-'))).toEqual([]);
    expect(new Set(creds.map((c) => c.password)).size).toBe(2000);
    expect(creds.every((c) => registry.verify(c.username, c.password) === 'device')).toBe(true);
    // Issued again: registered ones are rotated, so the old secrets stop working.
    const again = registry.issueMany(ids.slice(0, 3));
    expect(registry.verify('box-0', creds[0]!.password)).toBeNull();
    expect(registry.verify('box-0', again[0]!.password)).toBe('device');
    registry.close();
  });
});
