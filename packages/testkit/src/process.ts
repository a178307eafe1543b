import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `airbox-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Ports handed to servers a test starts, from below the kernel's ephemeral range (32768–60999 on
 * Linux): a port picked by `listen(0)` comes from that range, and between its release and the
 * server binding it, any outgoing connection (a test's thousands of MQTT clients) may take it —
 * the EADDRINUSE a soak once failed on. Each process draws from its own slice, from a random
 * start, so processes running side by side rarely meet, and every port is checked free first.
 */
const PORT_BASE = 10_000;
const PORT_SLICE = 1_000;
const PORT_SLICES = 22;
let portSlice = -1;
let portNext = 0;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 right now, outside the range outgoing connections draw from. */
export async function freePort(): Promise<number> {
  if (portSlice < 0) {
    portSlice = process.pid % PORT_SLICES;
    portNext = Math.floor(Math.random() * PORT_SLICE);
  }
  for (let tries = 0; tries < PORT_SLICE; tries++) {
    const port = PORT_BASE + portSlice * PORT_SLICE + (portNext++ % PORT_SLICE);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${PORT_BASE + portSlice * PORT_SLICE}…+${PORT_SLICE}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; never throws on a non-zero exit (tests assert the code). */
export function run(
  file: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 20_000, env: { ...process.env, ...opts.env } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Waits for `predicate` to hold, polling; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  predicate: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await predicate();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

/** Spawns a long-running process and resolves once a line of its stdout matches. */
export function spawnUntil(
  file: string,
  args: string[],
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<{ child: ChildProcess; line: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} not ready after ${timeoutMs} ms; stderr: ${err.slice(-2000)}`));
    }, timeoutMs);
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => ready.test(l));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve({ child, line, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`${file} exited with ${code} before it was ready; stderr: ${err.slice(-2000)}`),
      );
    });
  });
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 10_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** True when a Debian binary the integration tests need is installed. */
export async function haveBinary(name: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${name}`])).code === 0;
}

/**
 * Skips a test that needs a missing server binary, saying why — except in CI, where the
 * test command installs it, so a missing binary there is a failure, not a skip.
 */
export async function requireBinary(name: string): Promise<string> {
  return skipReasonUnless(name, await haveBinary(name));
}

/** requireBinary's verdict for a server found some other way than on PATH (e.g. PostgreSQL). */
export function skipReasonUnless(name: string, installed: boolean): string {
  if (installed) return '';
  if (process.env['CI'])
    throw new Error(
      `${name} is not installed: scripts/install-test-servers.sh should have installed it`,
    );
  const reason = `skipped: ${name} is not installed (bash scripts/install-test-servers.sh installs it)`;
  console.warn(reason);
  return reason;
}
