/**
 * A virtual PMS5003: the simulated concentrations become the 32-byte frame the real sensor
 * would send, and that frame goes through the same parser the serial driver uses. A bug in
 * the frame code therefore shows in the simulator's data, not only in the driver's tests.
 */
import { encodePmsFrame, PmsFrameParser, type PmsFrame } from '../../pms/frame.ts';
import type { PmSample } from '../../device/sampler.ts';
import type { BoxObservation } from '../model/index.ts';

/** PMS5003 datasheet: each value is an unsigned 16-bit word; the sensor saturates there. */
const word = (v: number) => Math.min(0xffff, Math.max(0, Math.round(v)));

export class VirtualPms5003 {
  readonly #parser = new PmsFrameParser('PMS5003');
  /** Frames the parser refused: must stay 0, or the encoder and parser disagree. */
  rejectedFrames = 0;

  /** The frame bytes for one observation, exactly as the sensor would send them. */
  static frameFor(o: BoxObservation): Uint8Array {
    return encodePmsFrame('PMS5003', {
      pm1Cf1UgM3: word(o.pm1Cf1),
      pm25Cf1UgM3: word(o.pm25Cf1),
      pm10Cf1UgM3: word(o.pm10Cf1),
      pm1AtmUgM3: word(o.pm1Atm),
      pm25AtmUgM3: word(o.pm25Atm),
      pm10AtmUgM3: word(o.pm10Atm),
      countsPer100Ml: {
        gt0p3Um: word(o.counts.gt03um),
        gt0p5Um: word(o.counts.gt05um),
        gt1p0Um: word(o.counts.gt10um),
        gt2p5Um: word(o.counts.gt25um),
        gt5p0Um: word(o.counts.gt50um),
        gt10Um: word(o.counts.gt100um),
      },
    });
  }

  /**
   * One sample as the driver reports it, or null when the sensor sent no frame (a failed fan
   * stops the airflow and the firmware times out waiting).
   */
  sample(o: BoxObservation): PmSample | null {
    if (o.fault === 'fan-failure') return null;
    let frame: PmsFrame | null = null;
    for (const event of this.#parser.push(VirtualPms5003.frameFor(o))) {
      if (event.kind === 'frame') frame = event.frame;
      else if (event.kind === 'rejected') this.rejectedFrames++;
    }
    if (frame === null) return null;
    // LASS ver_format=3 / AirBox: s_d0 is the atmospheric PM2.5 (frame bytes 12–13).
    return { pm1UgM3: frame.pm1AtmUgM3, pm25UgM3: frame.pm25AtmUgM3, pm10UgM3: frame.pm10AtmUgM3 };
  }
}
