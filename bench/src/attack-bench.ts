/**
 * `airbox bench attack`: a real `airbox serve` on 127.0.0.1 under each attack the broker
 * defends against (ingest/src/broker/packet-guard.ts, connection-caps.ts, checks/), one at a
 * time, each bounded in count and time. Each runs on a fresh serve, so what one attack left
 * behind (held memory, tracked ids, a table of dead letters) does not count against the
 * next; dead-letters runs on refused-publishes' serve, as those dead letters are its input.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteRegistry } from '@airbox/registry';
import { deadLetters } from './attack/dead-letters.ts';
import { idleSockets } from './attack/idle-sockets.ts';
import { ATTACK_TARGET, idleRss, measureAttack, type AttackReport } from './attack/measure.ts';
import { hugeConnect, hugePublish, wsFrames } from './attack/oversize.ts';
import { lassFlood, refusedPublishes, retainedFlood } from './attack/publishes.ts';
import {
  ATTACK_NAMES,
  FULL_SIZES,
  type Attack,
  type AttackName,
  type AttackSizes,
  type AttackTarget,
  type Provisioned,
} from './attack/types.ts';
import { startServeWithDefaults, stop } from './process.ts';

export { ATTACK_NAMES, isAttackName, type AttackName } from './attack/types.ts';
export type { AttackReport } from './attack/measure.ts';

/** In the order they run. */
const ATTACKS: readonly Attack[] = [
  hugeConnect,
  wsFrames,
  hugePublish,
  idleSockets,
  lassFlood,
  refusedPublishes,
  retainedFlood,
  deadLetters,
];

export interface AttackBenchOptions {
  /** How to run `airbox`, e.g. [process.execPath, '/…/bin/airbox.js']. */
  airbox: string[];
  /** The attacks to run (default all), run in ATTACKS' order. */
  only?: readonly AttackName[];
  /** Smaller attacks (the test); FULL_SIZES for the rest. */
  sizes?: Partial<AttackSizes>;
  progress: (message: string) => void;
}

export interface AttackBenchResult {
  bench: 'attack';
  target: typeof ATTACK_TARGET;
  attacks: AttackReport[];
  targetMet: boolean;
  node: string;
}

export async function runAttackBench(o: AttackBenchOptions): Promise<AttackBenchResult> {
  const sizes = { ...FULL_SIZES, ...o.sizes };
  const attacks: AttackReport[] = [];
  for (const session of plan(o.only ?? ATTACK_NAMES)) {
    attacks.push(...(await runSession(o, sizes, session)));
  }
  return {
    bench: 'attack',
    target: ATTACK_TARGET,
    attacks,
    targetMet: attacks.every((a) => a.withinTarget),
    node: process.version,
  };
}

/** Attacks on one serve; `prepare` runs first, unmeasured, for the effects they need. */
interface Session {
  prepare: Attack | null;
  attacks: Attack[];
}

function byName(name: AttackName): Attack {
  const attack = ATTACKS.find((a) => a.name === name);
  if (attack === undefined) throw new Error(`bench attack: no attack named ${name}`);
  return attack;
}

/** A fresh serve per attack, but an attack that runs `after` another shares its serve. */
function plan(names: readonly AttackName[]): Session[] {
  const sessions: Session[] = [];
  for (const attack of ATTACKS.filter((a) => names.includes(a.name))) {
    const last = sessions.at(-1);
    if (attack.after !== undefined && last?.attacks.at(-1)?.name === attack.after) {
      last.attacks.push(attack);
    } else {
      const prepare = attack.after === undefined ? null : byName(attack.after);
      sessions.push({ prepare, attacks: [attack] });
    }
  }
  return sessions;
}

/**
 * The logins of the attacks and of the well-behaved box, registered before serve starts, and
 * the operator token it is given (in `tokenFile`), so that dead-letters reads as an operator.
 */
async function provision(
  dataDir: string,
  refusers: number,
  tokenFile: string,
): Promise<Provisioned> {
  const operatorToken = randomBytes(24).toString('base64url');
  writeFileSync(tokenFile, `${operatorToken}\n`, { mode: 0o600 });
  const registry = await openSqliteRegistry(join(dataDir, 'devices.db'));
  try {
    const [good, attacker, victim] = await registry.devices.issueMany([
      'bench-good',
      'bench-attacker',
      'bench-victim',
    ]);
    return {
      good: good!,
      attacker: attacker!,
      victimId: victim!.deviceId,
      refusers: await registry.devices.issueMany(
        Array.from({ length: refusers }, (_, i) => `bench-refuser-${i}`),
      ),
      operatorToken,
    };
  } finally {
    await registry.close();
  }
}

async function runSession(o: AttackBenchOptions, sizes: AttackSizes, session: Session) {
  const dir = mkdtempSync(join(tmpdir(), 'airbox-attack-'));
  try {
    const all = [session.prepare, ...session.attacks].filter((a) => a !== null);
    const needsRefusers = all.some((a) => a.name === refusedPublishes.name);
    const tokenFile = join(dir, 'operator-token');
    const logins = await provision(dir, needsRefusers ? sizes.refusedClients : 0, tokenFile);
    const serve = await startServeWithDefaults(o, dir, [
      '--operator-token-file',
      tokenFile,
      ...all[0]!.serveArgs,
    ]);
    try {
      const { mqtt, ws, http } = serve.ports;
      if (ws === null) throw new Error('bench attack: serve opened no WebSocket port');
      const target = (): AttackTarget => ({
        ports: { mqtt, ws, http },
        logins,
        sizes,
        deadlineMs: Date.now() + sizes.attackTimeoutS * 1000,
      });
      return await attackServe(o, session, serve.child, target);
    } finally {
      await stop(serve.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The session's attacks in turn on one serve, measured from its idle RSS. */
async function attackServe(
  o: AttackBenchOptions,
  session: Session,
  child: ChildProcess,
  target: () => AttackTarget,
): Promise<AttackReport[]> {
  const { sizes } = target();
  const served = { child, idleRssBytes: await idleRss(child.pid!) };
  if (session.prepare !== null) {
    o.progress(`${session.prepare.name} first, unmeasured: ${session.prepare.title(sizes)}`);
    await session.prepare.run(target());
  }
  const reports: AttackReport[] = [];
  for (const attack of session.attacks) {
    o.progress(`${attack.name}: ${attack.title(sizes)}`);
    const last = reports.at(-1)?.name;
    const serve =
      last !== undefined
        ? `after ${last}`
        : session.prepare !== null
          ? `after ${session.prepare.name} (run first, unmeasured)`
          : 'fresh';
    reports.push(await measureAttack(served, attack, target(), serve));
  }
  return reports;
}
