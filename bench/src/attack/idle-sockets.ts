/**
 * Idle sockets: TCP connections that never send a byte, as many as this machine lets one
 * process hold. They come from several loopback addresses (127.0.0.0/8 is all this host), a
 * little more than the per-address cap from each, so the per-address cap
 * (connection-caps.ts) and the cap on connections waiting for their CONNECT
 * (pending-connections.ts) are both reached; all go to 127.0.0.1. They are held for less
 * than the connect timeout, so the caps, not the timeout, are what this measures.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import {
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  defaultMaxConnections,
} from '@airbox/ingest';
import type { Attack, AttackTarget } from './types.ts';
import { openSocket } from './wire.ts';

/** Connects in flight at once. */
const CONCURRENCY = 200;
/** Files this process keeps free for the health polls, the checks and its own modules. */
const CLIENT_RESERVE_FILES = 500;
/** Connections from each source address: a fifth more than the server's per-address cap. */
const PER_SOURCE = Math.round(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS * 1.2);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This process's open-files soft limit (proc(5) "Max open files"), or Infinity. */
function ownFileLimit(): number {
  const soft = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m)?.[1];
  return soft === undefined ? Infinity : Number(soft);
}

/** The sockets the attack holds and what became of the others. */
class Holder {
  readonly open = new Set<Socket>();
  attempted = 0;
  connected = 0;
  closedByServer = 0;
  peakOpen = 0;
  readonly errors = new Map<string, number>();
  private releasing = false;

  async attempt(port: number, index: number): Promise<void> {
    this.attempted++;
    const localAddress = `127.0.0.${1 + Math.floor(index / PER_SOURCE)}`;
    try {
      const socket = await openSocket(port, localAddress);
      this.connected++;
      this.open.add(socket);
      this.peakOpen = Math.max(this.peakOpen, this.open.size);
      socket.once('close', () => {
        this.open.delete(socket);
        if (!this.releasing) this.closedByServer++;
      });
    } catch (e) {
      const code = e instanceof Error && 'code' in e ? String(e.code) : 'error';
      this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    }
  }

  release(): void {
    this.releasing = true;
    for (const socket of this.open) socket.destroy();
  }
}

/** Opens up to `count` connections, CONCURRENCY at a time, while this process has files. */
async function openMany(holder: Holder, port: number, count: number, deadlineMs: number) {
  const clientCap = ownFileLimit() - CLIENT_RESERVE_FILES;
  let next = 0;
  let clientLimited = false;
  const one = async () => {
    while (next < count && Date.now() < deadlineMs) {
      if (holder.open.size >= clientCap) {
        clientLimited = true;
        return;
      }
      await holder.attempt(port, next++);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  return { clientCap, clientLimited };
}

export const idleSockets: Attack = {
  name: 'idle-sockets',
  title: (s) =>
    `idle TCP connections, as many as the machine allows (up to ${s.idleSockets}), ${PER_SOURCE} from each of several loopback addresses`,
  // The default caps: that they hold is what this attack measures.
  serveArgs: [],
  async run({ ports, sizes, deadlineMs }: AttackTarget) {
    const holder = new Holder();
    const t0 = Date.now();
    const { clientCap, clientLimited } = await openMany(
      holder,
      ports.mqtt,
      sizes.idleSockets,
      deadlineMs,
    );
    const openS = (Date.now() - t0) / 1000;
    await sleep(1000); // the caps close a refused connection at once; let those closes land
    const heldAfterOpen = holder.open.size;
    await sleep(sizes.idleHoldS * 1000);
    const heldAtEnd = holder.open.size;
    holder.release();
    const errors = [...holder.errors].map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
    return {
      said:
        `${holder.attempted} tried in ${openS.toFixed(1)} s from ${Math.ceil(holder.attempted / PER_SOURCE)} addresses: ` +
        `${holder.connected} connected, ${holder.closedByServer} closed by the server, ${heldAfterOpen} held ` +
        `(${heldAtEnd} after ${sizes.idleHoldS} s more; server caps ${defaultMaxConnections()} in all, ${DEFAULT_MAX_CONNECTIONS_PER_ADDRESS} an address, ${DEFAULT_MAX_PENDING_CONNECTIONS} waiting for CONNECT); connect errors: ${errors}` +
        (clientLimited ? `; this process stopped at its own ${clientCap} open files` : ''),
      details: {
        attempted: holder.attempted,
        connected: holder.connected,
        closedByServer: holder.closedByServer,
        heldAfterOpen,
        heldAtEnd,
        peakOpen: holder.peakOpen,
        openS: Math.round(openS * 10) / 10,
        sourceAddresses: Math.ceil(holder.attempted / PER_SOURCE),
        perSource: PER_SOURCE,
        serverTotalCap: defaultMaxConnections(),
        serverPerAddressCap: DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
        serverPendingCap: DEFAULT_MAX_PENDING_CONNECTIONS,
        connectErrors: errors,
        clientLimited,
      },
    };
  },
};
