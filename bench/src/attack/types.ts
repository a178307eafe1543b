/**
 * What the attacks of `airbox bench attack` share: their names, how big each is, the serve
 * they are aimed at and what each reports.
 */
import type { Credentials } from '@airbox/registry';

export const ATTACK_NAMES = [
  'huge-connect',
  'ws-frames',
  'huge-publish',
  'idle-sockets',
  'lass-flood',
  'refused-publishes',
  'retained-flood',
  'dead-letters',
] as const;
export type AttackName = (typeof ATTACK_NAMES)[number];

export function isAttackName(name: string): name is AttackName {
  return (ATTACK_NAMES as readonly string[]).includes(name);
}

const MIB = 1024 * 1024;

/** How big each attack is; the test runs the same code with small ones. */
export interface AttackSizes {
  /** huge-connect: sockets in parallel, and bytes each sends at most after the header. */
  connectSockets: number;
  connectMaxBytes: number;
  /** The size of each write of the oversize attacks. */
  chunkBytes: number;
  /** ws-frames: connections, and the length each frame declares (and sends, unless closed). */
  wsConnections: number;
  wsFrameBytes: number;
  /** huge-publish: logged-in connections of one box, and each PUBLISH's payload. */
  publishConnections: number;
  publishBytes: number;
  /** idle-sockets: connections tried, and how long those held are kept open. */
  idleSockets: number;
  idleHoldS: number;
  /** lass-flood: how long, and how many reconnect loops run at once. */
  lassFloodS: number;
  lassFloodLoops: number;
  /** refused-publishes: boxes publishing on another box's topic, and for how long. */
  refusedClients: number;
  refusedS: number;
  /** retained-flood: retained PUBLISHes, their payload, and loops at once. */
  retainedCount: number;
  retainedBytes: number;
  retainedLoops: number;
  /**
   * dead-letters: operator walks, boxes reading their own and requests without credentials,
   * each this many at once; and the page size each asks for (the API gives at most 500).
   */
  deadLetterRequests: number;
  deadLetterLimit: number;
  /** No attack runs longer than this, whatever is left of it. */
  attackTimeoutS: number;
}

export const FULL_SIZES: AttackSizes = {
  connectSockets: 8,
  connectMaxBytes: 250 * MIB,
  chunkBytes: MIB,
  wsConnections: 4,
  wsFrameBytes: 95_000_000,
  publishConnections: 4,
  publishBytes: 100_000_000,
  idleSockets: 24_000,
  idleHoldS: 5,
  lassFloodS: 5,
  lassFloodLoops: 20,
  refusedClients: 300,
  refusedS: 10,
  retainedCount: 1500,
  retainedBytes: 60 * 1024,
  retainedLoops: 4,
  deadLetterRequests: 8,
  deadLetterLimit: 500,
  attackTimeoutS: 120,
};

/** The logins registered in each serve's data dir before it starts. */
export interface Provisioned {
  /** The well-behaved box that must still get a reading stored after each attack. */
  good: Credentials;
  /** The registered box that sends the logged-in attacks. */
  attacker: Credentials;
  /** A registered box whose topics the refused publishers aim at. */
  victimId: string;
  /** The refused publishers (registered boxes), when refused-publishes runs on the serve. */
  refusers: Credentials[];
  /** The serve's operator token (Authorization: Bearer), which reads every dead letter. */
  operatorToken: string;
}

/** The serve under attack. */
export interface AttackTarget {
  ports: { mqtt: number; ws: number; http: number };
  logins: Provisioned;
  sizes: AttackSizes;
  /** Wall-clock ms after which an attack stops whatever is left of it. */
  deadlineMs: number;
}

/** What an attack saw from its side: a line for people, and its counts for --json. */
export interface AttackOutcome {
  said: string;
  details: Record<string, number | string | boolean | null>;
}

export interface Attack {
  name: AttackName;
  /** What it sends at these sizes, in a line. */
  title(sizes: AttackSizes): string;
  /** `airbox serve` flags beyond its defaults. */
  serveArgs: readonly string[];
  /**
   * Runs on the serve this attack just ran on, as that attack's effects are its input; when
   * that one is not selected, it runs first, unmeasured.
   */
  after?: AttackName;
  run(target: AttackTarget): Promise<AttackOutcome>;
}
