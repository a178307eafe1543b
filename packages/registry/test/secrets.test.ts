import { describe, expect, it } from 'vitest';
import { newSecret, stampOf } from '../src/secrets.ts';
import { verifyCredential } from '../src/index.ts';

describe('box secrets', () => {
  it('never start with "-", which a command line would read as an option', () => {
    const secrets = Array.from({ length: 2000 }, () => newSecret());
    // Without the rule about 1 in 64 would (base64url's 63rd letter is '-').
    expect(secrets.filter((s) => s.password.startsWith('-'))).toEqual([]);
    expect(new Set(secrets.map((s) => s.password)).size).toBe(2000);
    for (const s of secrets.slice(0, 50)) {
      const row = { deviceId: 'b', role: 'device' as const, salt: s.salt, hash: s.hash };
      expect(verifyCredential({ ...row, stamp: stampOf(s.hash), revoked: false }, s.password)).toBe(
        true,
      );
      expect(verifyCredential({ ...row, stamp: stampOf(s.hash), revoked: true }, s.password)).toBe(
        false,
      );
    }
  });
});
