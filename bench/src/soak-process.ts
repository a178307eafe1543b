import { spawn, type ChildProcess } from 'node:child_process';
import { sampleProcess } from './proc.ts';

/** How to run one part of the soak and how to tell it is ready. */
export interface SoakProcessSpec {
  /** Shown in progress and in the CPU/RSS table, e.g. `broker-a`. */
  name: string;
  /** [file, ...args] */
  cmd: string[];
  env?: NodeJS.ProcessEnv;
  /** Ready once a stdout line matches… */
  readyLine?: RegExp;
  /** …or once this resolves true (servers that print nothing useful). */
  probe?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Every stdout line, as it comes (the simulator reports on stdout). */
  onLine?: (line: string) => void;
}

const OUTPUT_LIMIT = 16_384;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A child process the soak starts, kills (SIGKILL, as a crash) and restarts with the same
 * arguments, so on the same ports and data. CPU time adds up over its lives; the peak RSS is
 * the highest of any life (Linux VmHWM). A bench that dies must not leave it running: it is
 * killed on the bench's exit.
 */
export class SoakProcess {
  readonly spec: SoakProcessSpec;
  starts = 0;
  /** Epoch ms of the first start: CPU cores are CPU seconds over the time since. */
  firstStartMs: number | null = null;
  peakRssBytes = 0;
  rssBytes = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';
  private earlierLivesCpuS = 0;
  private thisLifeCpuS = 0;
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  constructor(spec: SoakProcessSpec) {
    this.spec = spec;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** CPU seconds over every life so far (as of the last sample). */
  get cpuS(): number {
    return this.earlierLivesCpuS + this.thisLifeCpuS;
  }

  /** The last lines it printed (stdout and stderr), for failure messages. */
  output(): string {
    return this.tail;
  }

  /** Starts it and resolves with the ready line (or '' for a probed server). */
  async start(): Promise<string> {
    if (this.child !== null) throw new Error(`${this.spec.name} is already running`);
    const [file, ...args] = this.spec.cmd;
    const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.spec.env });
    this.child = child;
    this.starts++;
    this.firstStartMs ??= Date.now();
    this.closeLife(); // a life that ended by itself keeps its last sample
    let readyLine: string | null = null;
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      this.append(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (readyLine === null && this.spec.readyLine?.test(line)) readyLine = line;
        this.spec.onLine?.(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => this.append(chunk));
    this.exited = new Promise((resolve) => {
      const gone = () => {
        if (this.child === child) this.child = null;
        process.removeListener('exit', this.killOnExit);
        resolve();
      };
      child.once('exit', gone);
      child.once('error', (e) => {
        this.append(Buffer.from(`spawn failed: ${e.message}\n`));
        gone();
      });
    });
    process.once('exit', this.killOnExit);
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (this.child !== child) break;
      if (readyLine !== null) return readyLine;
      if (this.spec.probe && (await this.spec.probe().catch(() => false))) return '';
      await sleep(100);
    }
    const why = this.child === child ? 'was not ready in time' : 'exited';
    await this.kill();
    throw new Error(`${this.spec.name} ${why}; its last output:\n${this.tail}`);
  }

  /** Reads its CPU time and RSS from /proc; a no-op once it has exited. */
  sample(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      const s = sampleProcess(pid);
      this.thisLifeCpuS = s.cpuS;
      this.rssBytes = s.rssBytes;
      this.peakRssBytes = Math.max(this.peakRssBytes, s.peakRssBytes);
    } catch {
      // exited between the check and the read
    }
  }

  /** SIGKILL: a crash or a pulled plug. Its data stays for restart(). */
  async kill(): Promise<void> {
    await this.end('SIGKILL', 10_000);
  }

  /** SIGTERM, SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    await this.end('SIGTERM', graceMs);
  }

  /** Resolves true once it exited by itself, false after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    if (this.child === null) return true;
    return Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  }

  private async end(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.sample(); // the CPU of this life, read while /proc still has it
    child.kill(signal);
    if (!(await this.waitExit(graceMs))) {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.closeLife();
  }

  private closeLife(): void {
    this.earlierLivesCpuS += this.thisLifeCpuS;
    this.thisLifeCpuS = 0;
    this.rssBytes = 0;
  }

  private append(chunk: Buffer): void {
    this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  }
}
