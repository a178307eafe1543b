import type { DeviceRegistry } from '../registry.ts';
import type { LiveClients } from './live-clients.ts';

/** How often the registry is asked whether it changed: a revocation acts within ~1 s. */
export const CREDENTIAL_POLL_MS = 1000;

/**
 * Closes the live connections whose credentials were revoked or rotated since they logged
 * in: `airbox device revoke|rotate` writes devices.db from another process, and without
 * this a box already connected would go on publishing. Each poll is one cheap PRAGMA
 * (DeviceRegistry.changeVersion); only after a change is every login's stamp read again.
 * Scaled out, every broker polls the shared devices.db and closes its own clients.
 */
export function watchCredentials(
  registry: DeviceRegistry,
  clients: LiveClients,
  log: (event: string, fields: Record<string, unknown>) => void,
  intervalMs = CREDENTIAL_POLL_MS,
): () => void {
  let version = registry.changeVersion();
  const poll = () => {
    const now = registry.changeVersion();
    if (now === version) return;
    version = now;
    for (const [client, login] of clients.loggedIn()) {
      if (registry.stamp(login.deviceId) === login.stamp) continue;
      log('credentials-changed', {
        clientId: client.id,
        deviceId: login.deviceId,
        action: 'disconnected: revoked or rotated since it logged in',
      });
      client.close();
    }
  };
  const timer = setInterval(() => {
    try {
      poll();
    } catch (e) {
      log('credential-watch-failed', { error: e instanceof Error ? e.message : String(e) });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
