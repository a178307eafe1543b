import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * People's passwords: scrypt, which makes every guess cost memory as well as time. Node runs
 * `crypto.scrypt` on the libuv thread pool, so a sign-in does not hold the event loop.
 *
 * Parameters: N = 2^15, r = 8, p = 1 (OWASP Password Storage Cheat Sheet, scrypt minimum;
 * 32 MiB and ~100 ms a hash here). They are stored with each hash —
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` — so they can be raised later: an old hash still
 * verifies with its own, and `needsRehash` says when to store a new one.
 */

export interface ScryptParams {
  log2N: number;
  r: number;
  p: number;
}

export const SCRYPT_PARAMS: ScryptParams = { log2N: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/**
 * A hash of nothing anyone knows, with today's parameters: `authenticate` checks the
 * password against it when the e-mail is unknown, so both answers take as long.
 */
export const DUMMY_HASH = `scrypt$15$8$1$${Buffer.alloc(SALT_BYTES, 1).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`;

export async function hashPassword(password: string, params = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  const { log2N, r, p } = params;
  return `scrypt$${log2N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Was this hash made with weaker parameters than today's? */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const { log2N, r, p } = parsed.params;
  return log2N < SCRYPT_PARAMS.log2N || r < SCRYPT_PARAMS.r || p < SCRYPT_PARAMS.p;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const [scheme, log2N, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return null;
  const params = { log2N: Number(log2N), r: Number(r), p: Number(p) };
  if (!Object.values(params).every((v) => Number.isInteger(v) && v > 0)) return null;
  return { params, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

function derive(password: string, salt: Buffer, { log2N, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** log2N;
  // Node refuses above maxmem (32 MiB by default), and N = 2^15, r = 8 needs exactly
  // 128·N·r = 32 MiB plus a little: allow twice what the parameters need.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r * p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}
