import { resolve } from 'node:path';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options.ts';

const usage = `usage: airbox dead-letters [--data-dir DIR] [--limit N] [--since ISO]

Messages the system could not store, newest first, one JSON object per line: receivedAt,
topic, clientId, code, reason, and the payload (as text, and as base64 bytes).

  --data-dir DIR   the data dir of 'airbox serve' (default ./data)
  --limit N        at most N (default 100)
  --since ISO      only those received at or after this time

${STORE_USAGE}`;

export const deadLettersCommand: Command = {
  name: 'dead-letters',
  summary: 'list messages that were refused or could not be decoded, with the reason',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      'data-dir': { type: 'string' },
      limit: { type: 'string' },
      since: { type: 'string' },
      ...STORE_OPTIONS,
    });
    const sinceMs = values.since === undefined ? undefined : Date.parse(values.since);
    if (sinceMs !== undefined && Number.isNaN(sinceMs)) {
      throw new UsageError(`--since must be an ISO 8601 time, got '${values.since}'`);
    }
    const store = await openStore(values, resolve(values['data-dir'] ?? 'data'));
    try {
      const letters = await store.deadLetters({
        limit: positiveNumber('limit', values.limit, 100),
        sinceMs,
      });
      for (const d of letters) {
        const payload = Buffer.from(d.payload);
        io.stdout.write(
          JSON.stringify({
            ...d,
            payload: payload.toString('base64'),
            payloadText: payload.toString('utf8'),
          }) + '\n',
        );
      }
      io.stderr.write(`dead-letters: ${letters.length} shown\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
