import { connect, type Socket } from 'node:net';
import { connectPacket } from './raw-client.ts';

/**
 * Opens `count` MQTT connections with bare sockets (one CONNECT each, keepalive off), so
 * the measuring process stays small and the broker's memory per connection is what shows.
 * Resolves with the sockets that got a CONNACK accepting them.
 */
export async function holdConnections(
  port: number,
  creds: (i: number) => { clientId: string; username?: string; password?: string },
  count: number,
  concurrency = 200,
): Promise<{ accepted: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  let accepted = 0;
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const { clientId, username, password } = creds(i);
      const packet = connectPacket(clientId, username, password);
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => undefined);
      const ok = await new Promise<boolean>((resolve) => {
        socket.once('data', (d: Buffer) => resolve(d[0] === 0x20 && d[3] === 0)); // CONNACK, rc 0
        socket.once('close', () => resolve(false));
        socket.write(packet);
      });
      if (ok) accepted++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  return { accepted, sockets };
}
