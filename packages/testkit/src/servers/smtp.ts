import type { SMTPServer } from 'smtp-server';
import { freePort } from '../process.ts';

/** A message as the in-process SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Header names lower-cased, e.g. 'message-id', 'list-unsubscribe'. */
  headers: Map<string, string>;
  receivedAt: number;
}

export interface TestSmtpServer {
  port: number;
  /** smtp://127.0.0.1:PORT (no TLS, no auth), for --smtp-url. */
  url: string;
  readonly messages: ReceivedMail[];
  /** The first message (from now or already received) that matches, or a timeout error. */
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Answers every RCPT TO with 550 (a permanent refusal) while on. */
  rejectRecipients(on: boolean): void;
  /** Stops listening, keeping what was received; start() listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server, the library nodemailer's authors test with) in the test's
 * own process, on a free 127.0.0.1 port: it speaks the protocol, parses each message with
 * mailparser and keeps it, so a test asserts on the mail a user would get.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  // Loaded here, not at the top: the airbox bundle includes testkit for its benches, and
  // these two test-only packages are not among its dependencies.
  const [{ SMTPServer }, { simpleParser }] = await Promise.all([
    import('smtp-server'),
    import('mailparser'),
  ]);
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let rejecting = false;
  let server = create();

  function create(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (!rejecting) return callback();
        const err = Object.assign(new Error(`mailbox ${address.address} unavailable`), {
          responseCode: 550,
        });
        callback(err);
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            messages.push({
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : null,
              headers: new Map(
                parsed.headerLines.map((h) => [h.key, h.line.slice(h.key.length + 1).trim()]),
              ),
              receivedAt: Date.now(),
            });
            for (const wake of waiters) wake();
            callback();
          })
          .catch((e: unknown) => callback(e as Error));
      },
    });
  }
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  await listen();

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = messages.find(match);
          if (found === undefined) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(`no matching mail within ${timeoutMs} ms (${messages.length} received)`),
          );
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    rejectRecipients(on) {
      rejecting = on;
    },
    stop,
    async start() {
      server = create();
      await listen();
    },
    close: stop,
  };
}
