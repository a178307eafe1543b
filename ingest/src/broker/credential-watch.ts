import type { RegistryView } from '@airbox/registry';
import type { LiveClients } from './live-clients.ts';

/**
 * Closes the live connections whose credentials were revoked or rotated since they logged
 * in: `airbox device revoke|rotate` in another process, the API, or a second broker on the
 * same registry. The RegistryView polls the registry (every second by default) and names
 * the boxes each change touched; only those boxes' logins are checked again.
 */
export function watchCredentials(
  registry: RegistryView,
  clients: LiveClients,
  log: (event: string, fields: Record<string, unknown>) => void,
): () => void {
  return registry.onChange((deviceIds) => {
    const touched = new Set(deviceIds);
    for (const [client, login] of clients.loggedIn()) {
      if (!touched.has(login.deviceId)) continue;
      if (registry.stamp(login.deviceId) === login.stamp) continue;
      log('credentials-changed', {
        clientId: client.id,
        deviceId: login.deviceId,
        action: 'disconnected: revoked or rotated since it logged in',
      });
      client.close();
    }
  });
}
