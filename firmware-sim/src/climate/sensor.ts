/**
 * `ClimateSensor`: one I2C temperature/humidity sensor read by johnny-five through a
 * Firmata board — on a serial port (`port`) or any Firmata IO object (`io`). johnny-five's
 * driver polls the sensor continuously; the sensor keeps the newest converted reading and
 * `read()` hands it to the sampler, refusing it once it is older than `staleAfterMs`.
 */
import { systemClock, type Clock } from '../clock.ts';
import type { ClimateSample } from '../device/sampler.ts';
import {
  CLIMATE_CONTROLLERS,
  describeClimateSensor,
  i2cHex,
  rangeProblem,
  type ClimateControllerName,
  type ClimateControllerSpec,
} from './controllers.ts';
import { ClimateError } from './errors.ts';
import { openFirmataSerial } from './firmata-serial.ts';
import {
  loadJohnnyFive,
  withoutPolling,
  type FirmataIo,
  type JohnnyFive,
  type JohnnyFiveBoard,
  type JohnnyFiveDriver,
  type JohnnyFiveMulti,
} from './johnny-five.ts';
import { CLIMATE_STALE_AFTER_MS, checkOptions, type ClimateSensorOptions } from './options.ts';

interface Link {
  io: FirmataIo;
  /** Names the board in errors: the port path, or the IO's name. */
  where: string;
  opened: Promise<void>;
  close(): Promise<void>;
}

interface Latest {
  sample: ClimateSample;
  atMs: number;
}

/** Opens the board, starts johnny-five's driver and resolves at the first reading. */
export function openClimateSensor(options: ClimateSensorOptions): Promise<ClimateSensor> {
  return ClimateSensor.open(options);
}

export class ClimateSensor {
  readonly controller: ClimateControllerName;
  readonly address: number;
  /** The port path or IO name the sensor hangs off. */
  readonly where: string;
  readonly staleAfterMs: number;
  readonly #spec: ClimateControllerSpec;
  readonly #clock: Clock;
  readonly #link: Link;
  readonly #board: JohnnyFiveBoard;
  #driver: JohnnyFiveDriver | null = null;
  #multi: JohnnyFiveMulti | null = null;
  #latest: Latest | null = null;
  #rejected = 0;
  #problem: string | null = null;
  #closed = false;
  #closing: Promise<void> = Promise.resolve();
  #first: { resolve: () => void; reject: (e: Error) => void } | null = null;
  readonly #onData = () => this.#take();
  readonly #onError = (e: unknown) => this.#fail(`board error: ${errorText(e)}`);
  readonly #onClose = () => this.#fail('the board closed the connection');

  static async open(options: ClimateSensorOptions): Promise<ClimateSensor> {
    const { address, board } = checkOptions(options);
    const five = loadJohnnyFive();
    const link = 'io' in board ? ioLink(board.io) : serialLink(board.port);
    const sensor = new ClimateSensor(five, link, options, address);
    const first = sensor.#firstReading(options.readTimeoutMs);
    try {
      await Promise.all([link.opened, first]);
    } catch (e) {
      await sensor.close();
      throw e;
    }
    return sensor;
  }

  private constructor(
    five: JohnnyFive,
    link: Link,
    options: ClimateSensorOptions,
    address: number,
  ) {
    this.controller = options.controller;
    this.address = address;
    this.where = link.where;
    this.staleAfterMs = options.staleAfterMs ?? CLIMATE_STALE_AFTER_MS;
    this.#spec = CLIMATE_CONTROLLERS[options.controller];
    this.#clock = options.clock ?? systemClock;
    this.#link = link;
    // firmata-io reports port errors on the IO before johnny-five listens (and an
    // "error" nobody listens to throws); these listeners stay after close() for that reason.
    link.io.on('error', this.#onError);
    link.io.on('close', this.#onClose);
    link.io.on('disconnect', this.#onClose);
    this.#board = new five.Board({ io: link.io, repl: false, debug: false, sigint: false });
    this.#board.on('error', this.#onError);
    this.#board.once('ready', () => this.#attach(five));
  }

  /** "SHT31D (I2C 0x44) on /dev/ttyACM0". */
  get name(): string {
    return `${describeClimateSensor(this.controller, this.address)} on ${this.where}`;
  }

  /** The newest reading; throws `CLIMATE_STALE` when it is older than `staleAfterMs`. */
  read(): ClimateSample {
    if (this.#closed) throw new ClimateError('CLIMATE_CLOSED', `${this.name} is closed`);
    const latest = this.#latest;
    const ageMs = latest === null ? Infinity : this.#clock.nowMs() - latest.atMs;
    if (latest !== null && ageMs <= this.staleAfterMs) return { ...latest.sample };
    const age = latest === null ? 'no reading yet' : `none for ${(ageMs / 1000).toFixed(1)} s`;
    const why = this.#problem === null ? '' : `; last problem: ${this.#problem}`;
    throw new ClimateError(
      'CLIMATE_STALE',
      `${this.name}: no fresh reading (${age}, limit ${this.staleAfterMs / 1000} s)${why}; ` +
        'check the sensor wiring (SDA, SCL, power) and that the board is still connected',
    );
  }

  /** Readings refused because a value was not a number or outside the sensor's range. */
  get rejectedReadings(): number {
    return this.#rejected;
  }

  /** Stops listening and, for a `port`, closes it; an `io` passed in stays open. */
  close(): Promise<void> {
    if (this.#closed) return this.#closing;
    this.#closed = true;
    this.#driver?.off('data', this.#onData);
    // board.js arms a 10 s "ready" timer on connect that would fire after we gave up.
    if (this.#board.timer !== null) clearTimeout(this.#board.timer);
    this.#settleFirst(new ClimateError('CLIMATE_CLOSED', `${this.name} was closed`));
    this.#closing = this.#link.close();
    return this.#closing;
  }

  #firstReading(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancel = this.#clock.setTimer(
        () => this.#settleFirst(this.#timeout(timeoutMs)),
        timeoutMs,
      );
      this.#first = {
        resolve: () => (cancel(), resolve()),
        reject: (e) => (cancel(), reject(e)),
      };
    });
  }

  #timeout(timeoutMs: number): ClimateError {
    const stage = this.#board.isReady
      ? 'the board is ready but the sensor never answered; check the wiring (SDA, SCL, ' +
        `power) and the address (${this.controller}: ${this.#spec.addresses.map(i2cHex).join(' or ')})`
      : 'the board did not finish the Firmata handshake; check that StandardFirmata is ' +
        'flashed and that this is the board';
    const why = this.#problem === null ? '' : ` (last problem: ${this.#problem})`;
    return new ClimateError(
      'CLIMATE_OPEN_TIMEOUT',
      `no reading from ${this.name} within ${timeoutMs} ms: ${stage}${why}`,
    );
  }

  #settleFirst(error: Error | null): void {
    const first = this.#first;
    this.#first = null;
    if (error === null) first?.resolve();
    else first?.reject(error);
  }

  /** Builds johnny-five's Multi on the ready board and follows its shared I2C driver. */
  #attach(five: JohnnyFive): void {
    if (this.#closed) return;
    const controller = this.#spec.johnnyFiveController;
    const board = this.#board;
    try {
      const options = { controller, address: this.address, board };
      this.#multi = withoutPolling(() => new five.Multi(options));
      // The components registered their listeners first, so theirs have converted the
      // raw values by the time ours runs.
      this.#driver = five.Multi.Drivers.get(board, controller, { address: this.address });
      this.#driver.on('data', this.#onData);
    } catch (e) {
      this.#fail(`johnny-five could not start the ${controller} driver: ${errorText(e)}`);
    }
  }

  #take(): void {
    const multi = this.#multi;
    if (multi === null || this.#closed) return;
    const sample = {
      temperatureC: multi.thermometer.celsius,
      humidityPct: multi.hygrometer.relativeHumidity,
    };
    const problem = rangeProblem(this.#spec, sample);
    if (problem !== null) {
      this.#rejected++;
      this.#problem = problem;
      return;
    }
    this.#latest = { sample, atMs: this.#clock.nowMs() };
    this.#settleFirst(null);
  }

  #fail(problem: string): void {
    if (this.#closed) return;
    this.#problem = problem;
    if (this.#first === null) return;
    const message = `${this.name}: ${problem}`;
    this.#settleFirst(new ClimateError('CLIMATE_BOARD_ERROR', message));
  }
}

function ioLink(io: FirmataIo): Link {
  return {
    io,
    where: `Firmata IO "${io.name ?? 'unnamed'}"`,
    opened: Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

function serialLink(path: string): Link {
  const link = openFirmataSerial(path);
  return { ...link, where: path };
}

/** johnny-five emits Errors, log events ({ message }) and strings as "error". */
function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'message' in e) return String(e.message);
  return String(e);
}
