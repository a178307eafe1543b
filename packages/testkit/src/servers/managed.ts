import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A real server on 127.0.0.1, started by a test with its own port and data directory. */
export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** The server's private directory (config, data); removed by stop(). */
  readonly dir: string;
  readonly running: boolean;
  /** The server's process id while it runs (for CPU sampling), else null. */
  readonly pid: number | null;
  /** Ends the process (SIGTERM, SIGKILL after a grace period) and removes its directory. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL: a crash or a pulled plug); keeps its data for restart(). */
  kill(): Promise<void>;
  /** Starts it again (killing it first if it runs) on the same port and data; resolves once ready. */
  restart(): Promise<void>;
  /** The last lines the server printed, for failure messages. */
  output(): string;
}

export async function makeServerDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `airbox-${name}-`));
}

export interface ManagedServerOptions {
  name: string;
  binary: string;
  args: string[];
  port: number;
  dir: string;
  /** Path answered with 2xx once the server takes requests, e.g. /ping. */
  readyPath?: string;
  /** The URL clients use, when not http://127.0.0.1:PORT. */
  url?: string;
  /** For servers that do not speak HTTP: true once the server takes requests. */
  ready?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** What stop() sends first; SIGTERM unless the server waits on its clients at SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /**
   * kill() takes the server's child processes with it, as a crash of the machine would.
   * PostgreSQL's backends outlive a killed postmaster for a moment and answer queries
   * meanwhile; they call setsid(), so no process group holds them.
   */
  killChildren?: boolean;
}

const OUTPUT_LIMIT = 16_384;
const STOP_GRACE_MS = 5_000;

/** Starts the process and waits until readyPath answers; the handle restarts and stops it. */
export async function startManagedServer(opts: ManagedServerOptions): Promise<TestServer> {
  const server = new ManagedServer(opts);
  try {
    await server.restart();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

class ManagedServer implements TestServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  private readonly opts: ManagedServerOptions;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private log = '';
  // A test that dies before stop() must not leave the server running.
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  constructor(opts: ManagedServerOptions) {
    this.opts = opts;
    this.port = opts.port;
    this.dir = opts.dir;
    this.url = opts.url ?? `http://127.0.0.1:${opts.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  output(): string {
    return this.log;
  }

  async restart(): Promise<void> {
    await this.kill();
    const child = spawn(this.opts.binary, this.opts.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const append = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.child === child) this.child = null;
        resolve();
      });
      child.once('error', (err) => {
        append(Buffer.from(`spawn failed: ${err.message}\n`));
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    process.once('exit', this.killOnExit);
    await this.waitReady();
  }

  async kill(): Promise<void> {
    await this.end('SIGKILL', 0);
  }

  async stop(): Promise<void> {
    await this.end(this.opts.stopSignal ?? 'SIGTERM', STOP_GRACE_MS);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async end(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    process.removeListener('exit', this.killOnExit);
    if (child === null) return;
    const children =
      signal === 'SIGKILL' && this.opts.killChildren ? await childrenOf(child.pid) : [];
    child.kill(signal);
    for (const pid of children) signalQuietly(pid, 'SIGKILL');
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      sleep(graceMs || 10_000, true),
    ]);
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exited;
    }
    await waitGone(children);
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (this.child === null) break;
      try {
        if (this.opts.ready) {
          if (await this.opts.ready()) return;
        } else {
          const res = await fetch(`http://127.0.0.1:${this.port}${this.opts.readyPath ?? '/'}`, {
            signal: AbortSignal.timeout(1_000),
          });
          await res.arrayBuffer();
          if (res.ok) return;
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    const why = this.child === null ? 'exited' : 'did not answer in time';
    throw new Error(`${this.opts.name} on port ${this.port} ${why}; its output:\n${this.log}`);
  }
}

/** The processes whose parent is `pid`, from /proc (Linux, like the servers we start). */
async function childrenOf(pid: number | undefined): Promise<number[]> {
  if (pid === undefined) return [];
  const stats = await Promise.all(
    (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map((d) => procStat(Number(d))),
  );
  return stats.flatMap((s) => (s !== null && s.ppid === pid ? [s.pid] : []));
}

/** pid, parent and state of a process, or null once it is gone. */
async function procStat(pid: number): Promise<{ pid: number; ppid: number; state: string } | null> {
  try {
    // "PID (COMM) STATE PPID …"; COMM may hold spaces and parentheses, so read after the last ')'.
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const [state = '', ppid = '0'] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), state };
  } catch {
    return null;
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Until each process has exited (a zombie counts: whoever adopted it may never reap it). */
async function waitGone(pids: number[], timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const pid of pids) {
    while (Date.now() < deadline) {
      const stat = await procStat(pid);
      if (stat === null || stat.state === 'Z') break;
      await sleep(10);
    }
  }
}
