import type { Client } from 'aedes';
import type { Principal } from './acl.ts';

/** What a logged-in connection was admitted with. */
export interface Login {
  deviceId: string;
  /** The stamp of the secret it logged in with (RegistryView.verify). */
  stamp: string;
}

/**
 * The clients admitted on this broker, until their connection closes: who holds each client
 * id (for the client-id checks), how many are anonymous (for their cap), and what each
 * login was checked against (for the credential watch). Entries go when the connection
 * closes, so the sizes are those of the open connections.
 */
export class LiveClients {
  private readonly byId = new Map<string, { client: Client; who: Principal }>();
  private readonly anonymous = new Set<Client>();
  private readonly logins = new Map<Client, Login>();

  /** Anonymous clients connected now. */
  get anonymousCount(): number {
    return this.anonymous.size;
  }

  /** Logged-in clients connected now. */
  get loginCount(): number {
    return this.logins.size;
  }

  admit(client: Client, who: Principal, stamp: string | undefined): void {
    if (client.conn.closed) return; // gone while it was checked: 'close' will not come again
    this.byId.set(client.id, { client, who });
    if (who.role === 'anonymous-lass') this.anonymous.add(client);
    else if (stamp !== undefined) this.logins.set(client, { deviceId: who.deviceId, stamp });
    client.conn.once('close', () => this.forget(client));
  }

  /** Who holds this client id on this broker now, or null. */
  holderOf(clientId: string): Principal | null {
    const held = this.byId.get(clientId);
    return held === undefined || held.client.closed ? null : held.who;
  }

  /** The logged-in clients with what they logged in with. */
  loggedIn(): IterableIterator<[Client, Login]> {
    return this.logins.entries();
  }

  private forget(client: Client): void {
    if (this.byId.get(client.id)?.client === client) this.byId.delete(client.id);
    this.anonymous.delete(client);
    this.logins.delete(client);
  }
}
