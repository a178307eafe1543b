import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress } from '../src/channels/webhook-address.ts';

describe('webhook addresses (SSRF)', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['8.8.8.8', false],
    ['203.74.1.1', false],
    ['2001:4860:4860::8888', false],
  ])('%s private: %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });

  it('refuses loopback and metadata addresses unless allowed', async () => {
    await expect(
      checkWebhookUrl('http://127.0.0.1:9/hook', { allowPrivate: false }),
    ).rejects.toMatchObject({
      code: 'private-webhook-address',
    });
    await expect(
      checkWebhookUrl('http://localhost/hook', { allowPrivate: false }),
    ).rejects.toMatchObject({
      code: 'private-webhook-address',
    });
    await expect(
      checkWebhookUrl('http://[::ffff:169.254.169.254]/latest', { allowPrivate: false }),
    ).rejects.toMatchObject({ code: 'private-webhook-address' });
    const ok = await checkWebhookUrl('http://127.0.0.1:9/hook', { allowPrivate: true });
    expect(ok.addresses).toEqual(['127.0.0.1']);
  });

  it('names what is wrong with a malformed url', async () => {
    await expect(checkWebhookUrl('ftp://example.org/x', { allowPrivate: true })).rejects.toThrow(
      /http:\/\/ or https:\/\//,
    );
    await expect(checkWebhookUrl('not a url', { allowPrivate: true })).rejects.toMatchObject({
      code: 'invalid-webhook-url',
    });
    await expect(
      checkWebhookUrl('https://user:pw@example.org/', { allowPrivate: true }),
    ).rejects.toThrow(/password/);
  });
});
