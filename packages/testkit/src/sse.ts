import { get as httpGet, type IncomingMessage } from 'node:http';

export interface SseEvent<T> {
  /** The `event:` field; `message` when the server sent none, as EventSource has it. */
  event: string;
  id?: string;
  data: T;
}

/**
 * An EventSource stand-in over node:http (one connection, no agent): the response headers,
 * and the events as they are parsed (comments skipped). `close()` drops the connection, as
 * a closed tab does.
 */
export async function openEventStream<T>(url: string, headers: Record<string, string> = {}) {
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    httpGet(url, { agent: false, headers }, resolve).on('error', reject),
  );
  const events: SseEvent<T>[] = [];
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const fields = new Map(
        text
          .slice(0, end)
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      text = text.slice(end + 2);
      const data = fields.get('data');
      if (data === undefined) continue;
      events.push({
        event: fields.get('event') ?? 'message',
        id: fields.get('id'),
        data: JSON.parse(data) as T,
      });
    }
  });
  const ended = new Promise<void>((resolve) => res.once('close', resolve));
  const take = async (count: number) => {
    while (events.length < count) await new Promise((r) => setTimeout(r, 5));
    return events.slice(0, count);
  };
  return { res, events, take, ended, close: () => res.destroy() };
}
