import type { LinkFactory } from './link.ts';
import type { FleetSource } from './source.ts';
import type { TruthWriter } from './truth.ts';
import type { BoxSettings } from './virtual-box.ts';

export interface Credentials {
  username: string;
  password: string;
}

export interface FleetOptions {
  source: FleetSource;
  broker: { host: string; port: number };
  /** Each box's login, or null to connect without one (anonymous LASS). */
  credentials: (deviceId: string) => Credentials | null;
  /** A service account for the reference network; null: stations are not published. */
  service: Credentials | null;
  format: 'native' | 'lass';
  speed: number | 'max';
  startMs: number;
  /** Simulated duration; null runs until stop(). */
  durationMs: number | null;
  intervalMs?: number;
  samplesPerReport?: number;
  maxBacklog?: number;
  truth?: TruthWriter;
  onProgress?: (p: FleetProgress) => void;
  progressMs?: number;
  /** Real clock (tests inject one). */
  now?: () => number;
  connect?: LinkFactory;
  connectConcurrency?: number;
  /**
   * Real time between one box's messages (default 250 ms, under the broker's 5/s). Longer
   * gaps make each message a batch of the readings made meanwhile: fewer, larger messages,
   * as a box with a backlog sends them.
   */
  messageGapMs?: number;
  /**
   * At speed `max`, the most real time one tick spends making readings, ticks coming twice
   * that often: a fleet sharing its process's event loop (serve --demo) leaves it free half
   * the time. Without it a tick makes all the readings the window allows (up to 20,000, a
   * second of work), as a fleet in a process of its own should.
   */
  tickBudgetMs?: number;
}

export interface FleetProgress {
  simTime: string;
  realElapsedS: number;
  boxes: number;
  connected: number;
  /** Boxes in a simulated Wi-Fi outage right now. */
  inOutage: number;
  /** Boxes whose (re)connect is under way (e.g. just back from an outage). */
  connecting: number;
  /** Connects that failed (refused, or no CONNACK in time) since the fleet started. */
  connectFailures: number;
  /** Open connections the broker or network closed (not a simulated outage, not the end). */
  connectionsLost: number;
  readingsMade: number;
  readingsAcked: number;
  backlog: number;
  droppedReadings: number;
  referenceReadings: number;
  outagesStarted: number;
  /** Readings acknowledged per real second since the previous report. */
  ackedPerS: number;
  done: boolean;
}

/** What every virtual box of a fleet runs with (the firmware's own defaults otherwise). */
export function fleetBoxSettings(options: FleetOptions): BoxSettings {
  return {
    format: options.format,
    intervalMs: options.intervalMs ?? 60_000,
    samplesPerReport: options.samplesPerReport ?? 5,
    maxBacklog: options.maxBacklog ?? 1440,
    maxPayloadBytes: 64 * 1024,
    maxInFlight: 4,
    minMessageGapMs: options.messageGapMs ?? 250,
    bootMs: options.startMs,
  };
}

export function initialProgress(startMs: number, boxes: number): FleetProgress {
  return {
    simTime: new Date(startMs).toISOString(),
    realElapsedS: 0,
    boxes,
    connected: 0,
    inOutage: 0,
    connecting: 0,
    connectFailures: 0,
    connectionsLost: 0,
    readingsMade: 0,
    readingsAcked: 0,
    backlog: 0,
    droppedReadings: 0,
    referenceReadings: 0,
    outagesStarted: 0,
    ackedPerS: 0,
    done: false,
  };
}
