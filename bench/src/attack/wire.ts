/**
 * Bytes on bare sockets, as an attacker sends them: headers that declare huge packets or
 * frames, then data poured after them until the server closes the connection.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Resolves once the socket is connected; rejects on its first error. */
export function openSocket(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // Resets from a server that closes while bytes are in flight are expected here.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** MQTT 3.1.1 §2.2.3: the remaining length, 7 bits a byte, least significant first. */
export function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let left = length;
  do {
    const low = left % 128;
    left = Math.floor(left / 128);
    bytes.push(left > 0 ? low | 0x80 : low);
  } while (left > 0);
  return Buffer.from(bytes);
}

export interface Poured {
  /** Bytes the kernel took (write callbacks without error) before the connection closed. */
  flushedBytes: number;
  /** The server closed it (rather than the limit or the deadline ending the pour). */
  closedByServer: boolean;
  ms: number;
}

/**
 * Writes `chunk` again and again, waiting for 'drain' when the socket buffers, until the
 * server closes the connection, `maxBytes` went out or the deadline passed; then closes it.
 */
export async function pour(
  socket: Socket,
  chunk: Buffer,
  maxBytes: number,
  deadlineMs: number,
): Promise<Poured> {
  const t0 = performance.now();
  let closed = socket.destroyed;
  const closing = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closing.then(() => (closed = true));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
  });
  let queued = 0;
  let flushedBytes = 0;
  while (!closed && queued < maxBytes && Date.now() < deadlineMs) {
    const part = chunk.subarray(0, Math.min(chunk.length, maxBytes - queued));
    queued += part.length;
    const more = socket.write(part, (err) => {
      if (!err) flushedBytes += part.length;
    });
    if (!more) {
      await Promise.race([new Promise((r) => socket.once('drain', r)), closing, deadline]);
    }
  }
  clearTimeout(timer);
  const closedByServer = closed;
  socket.destroy();
  return { flushedBytes, closedByServer, ms: performance.now() - t0 };
}

/**
 * A WebSocket opening handshake (RFC 6455 §4.1) for /mqtt; resolves with the socket once
 * the server answered 101, or rejects with what it answered.
 */
export async function openWebSocket(port: number): Promise<Socket> {
  const socket = await openSocket(port);
  socket.write(
    [
      'GET /mqtt HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: mqtt',
      '',
      '',
    ].join('\r\n'),
  );
  const head = await new Promise<string>((resolve) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString('latin1');
      if (!got.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve(got);
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(got));
  });
  if (!head.startsWith('HTTP/1.1 101')) {
    socket.destroy();
    throw new Error(`WebSocket upgrade refused: ${head.split('\r\n')[0] ?? '(closed)'}`);
  }
  return socket;
}

/**
 * The header of one binary frame of `length` bytes (RFC 6455 §5.2: FIN and opcode 2, the
 * MASK bit and the 64-bit length, then the masking key). A client must mask (§5.3); an
 * all-zero key leaves the payload as sent.
 */
export function wsBinaryFrameHeader(length: number): Buffer {
  const header = Buffer.alloc(2 + 8 + 4);
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** The status code of the first close frame the server sends (RFC 6455 §5.5.1), or null. */
export function watchCloseCode(socket: Socket): () => number | null {
  let code: number | null = null;
  socket.on('data', (d: Buffer) => {
    if (code === null && d[0] === 0x88 && (d[1] ?? 0) >= 2 && d.length >= 4) {
      code = d.readUInt16BE(2);
    }
  });
  return () => code;
}
