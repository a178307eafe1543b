/**
 * The child processes a bench runs: `airbox serve` and other commands started until they say
 * they are ready, stopped and waited for, and the ports they listen on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { z } from 'zod';

export async function startProcess(
  cmd: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv,
  onStderr?: (chunk: string) => void,
): Promise<{ child: ChildProcess; line: string }> {
  const [file, ...args] = cmd;
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
    onStderr?.(c.toString());
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => ready.test(l));
      if (line) resolve({ child, line });
    });
    child.once('exit', (code) =>
      reject(new Error(`${cmd.join(' ')} exited (${code}) before it was ready: ${err}`)),
    );
  });
}

/** SIGTERM, and wait until it exited. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A fresh `airbox serve` on free ports (other benches load it too). `heapMb` caps V8's heap
 * (NODE_OPTIONS), as a production unit would; else V8 grows it freely.
 */
export async function startServe(
  o: { airbox: string[] },
  dataDir: string,
  extra: string[] = [],
  heapMb?: number,
) {
  const env =
    heapMb === undefined
      ? process.env
      : { ...process.env, NODE_OPTIONS: `--max-old-space-size=${heapMb}` };
  const serve = await startServeWithDefaults(
    o,
    dataDir,
    [
      '--rate',
      '1000000',
      // Every simulated box connects from 127.0.0.1: thousands of them on one address.
      '--max-connections-per-address',
      '0',
      ...extra,
    ],
    env,
  );
  return { child: serve.child, port: serve.ports.mqtt, httpPort: serve.ports.http };
}

const ListeningLine = z.object({
  ports: z.object({ mqtt: z.number(), ws: z.number().nullable(), http: z.number() }),
});

/**
 * `airbox serve` on 127.0.0.1 and free ports with its own defaults (rate, connection caps)
 * but for `extra`; resolves with the ports its ready line names.
 */
export async function startServeWithDefaults(
  o: { airbox: string[] },
  dataDir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  onStderr?: (chunk: string) => void,
) {
  const { child, line } = await startProcess(
    [
      ...o.airbox,
      'serve',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      ...extra,
    ],
    /"event":"listening"/,
    env,
    onStderr,
  );
  return { child, ports: ListeningLine.parse(JSON.parse(line)).ports };
}

/** Resolves once something accepts connections on the port (at most 10 s). */
export async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
