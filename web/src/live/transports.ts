import type { ServerResponse } from 'node:http';
import type { WebSocket } from '@fastify/websocket';
import type { LiveMessage } from '../schemas.ts';
import { END_GRACE_MS, endEventStream, keepAlive } from './event-stream.ts';
import type { LiveTransport } from './session.ts';

export function webSocketTransport(socket: WebSocket): LiveTransport {
  return {
    send: (message) => {
      const text = JSON.stringify(message);
      socket.send(text);
      return Buffer.byteLength(text);
    },
    bufferedBytes: () => socket.bufferedAmount,
    end: (code, reason) => {
      socket.close(code, reason);
      // The close frame waits behind the unsent bytes; a client that never reads must not
      // keep them in memory for ws's own 30 s close timeout.
      setTimeout(() => socket.terminate(), END_GRACE_MS).unref();
    },
    onEnd: (listener) => void socket.once('close', listener),
  };
}

/**
 * Server-sent events (WHATWG HTML, "Server-sent events"): `event:` is the message type,
 * `data:` its JSON, `id:` the newest reading time sent so far, which a reconnecting
 * EventSource sends back as Last-Event-ID and the server takes as `since`.
 */
export function sseTransport(raw: ServerResponse, heartbeatMs: number): LiveTransport {
  let newestTime = '';
  keepAlive(raw, heartbeatMs);
  return {
    send: (message: LiveMessage) => {
      for (const r of message.readings) if (r.time > newestTime) newestTime = r.time;
      const id = newestTime === '' ? '' : `id: ${newestTime}\n`;
      const text = `event: ${message.type}\n${id}data: ${JSON.stringify(message)}\n\n`;
      raw.write(text);
      return Buffer.byteLength(text);
    },
    bufferedBytes: () => raw.writableLength,
    end: (code, reason) => endEventStream(raw, code, reason),
    onEnd: (listener) => void raw.once('close', listener),
  };
}
