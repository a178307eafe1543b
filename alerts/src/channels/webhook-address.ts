import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AlertError } from '../errors.ts';

/**
 * Webhooks are requests this server makes to an address a user typed: without a check, any
 * account could make it reach 127.0.0.1, the LAN or a cloud metadata service (SSRF). Loopback,
 * private, link-local, CGNAT, multicast and reserved addresses are refused unless the operator
 * allows them (`airbox serve --webhook-allow-private`: LAN deployments, tests). The name is
 * checked when the subscription is made and its addresses again before each delivery (a
 * name can be pointed elsewhere later).
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** True for an address a webhook must not reach by default (IPv4-mapped IPv6 included). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  const family = isIP(ip);
  if (family === 0) return true;
  return PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL, if it is http(s) with a host and no credentials; its name is not resolved here. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AlertError('invalid-webhook-url', `webhook url "${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AlertError('invalid-webhook-url', `webhook url "${raw}" must be http:// or https://`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new AlertError(
      'invalid-webhook-url',
      `webhook url "${url.host}" carries a user name or password: put a secret in the path, or check our signature`,
    );
  }
  return url;
}

/**
 * Resolves the URL's host and refuses it when any address it resolves to is private (unless
 * allowed). Returns the addresses, so a caller may connect to exactly what was checked.
 */
export async function checkWebhookUrl(
  raw: string,
  options: { allowPrivate: boolean },
): Promise<{ url: URL; addresses: string[] }> {
  const url = parseWebhookUrl(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses =
    isIP(host) !== 0
      ? [host]
      : await lookup(host, { all: true }).then(
          (found) => found.map((a) => a.address),
          (e: unknown) => {
            throw new AlertError(
              'invalid-webhook-url',
              `webhook host "${host}" does not resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
            );
          },
        );
  if (!options.allowPrivate) {
    const inside = addresses.find(isPrivateAddress);
    if (inside !== undefined) {
      throw new AlertError(
        'private-webhook-address',
        `webhook url "${url.host}" reaches ${inside}, a loopback or private address; the operator may allow them with --webhook-allow-private`,
      );
    }
  }
  return { url, addresses };
}
