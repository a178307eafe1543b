import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialRow } from './port.ts';

/**
 * Box secrets and bearer tokens. Both are random, never chosen by a person, so there is no
 * dictionary to try and a fast hash is enough to make a stolen registry useless. (A slow hash
 * such as scrypt would cost ~50 ms per CONNECT: 15,000 boxes reconnecting after a broker
 * restart would need 12 CPU-minutes.) People's passwords are another matter: passwords.ts.
 */

/** A box's new password (128 bits) with the salt and salted hash the registry keeps. */
export function newSecret(): { password: string; salt: Buffer; hash: Buffer } {
  // base64url may start with '-', which command lines read as an option
  // (`airbox worker --password -x…` is refused as ambiguous): 'k' stands in its place.
  const password = randomBytes(16).toString('base64url').replace(/^-/, 'k');
  const salt = randomBytes(16);
  return { password, salt, hash: hashSecret(salt, Buffer.from(password)) };
}

export function hashSecret(salt: Buffer, secret: Buffer): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}

/**
 * The first 8 bytes of the salted hash: a rotation draws a new salt and secret, so the stamp
 * changes; it is no use to anyone without the salt and 2^64 tries.
 */
export function stampOf(hash: Buffer): string {
  return hash.subarray(0, 8).toString('hex');
}

/** Does this password open this box? False once it is revoked. Constant-time compare. */
export function verifyCredential(row: CredentialRow, password: Buffer | string): boolean {
  if (row.revoked) return false;
  const hash = hashSecret(row.salt, Buffer.from(password));
  return hash.length === row.hash.length && timingSafeEqual(hash, row.hash);
}

/** A 256-bit bearer token (session, reset link, API key body), URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored for a token: its SHA-256, hex. A token is random, so no salt is needed. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
