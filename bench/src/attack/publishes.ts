/**
 * The publishing attacks: reconnect loops that publish what the broker must refuse, or
 * accept at a cost (a new anonymous LASS box each time). A refused PUBLISH is kept as a dead
 * letter and its connection closed (ingest/src/broker/publish-pipeline.ts), so each attempt
 * is a connect, a login and a publish.
 */
import { encodeLassV3, lassTopic, nativeTopic } from '@airbox/protocol';
import { connectAndPublish, reconnectLoops, tallyWords, type Tally } from './mqtt.ts';
import type { Attack, AttackOutcome, AttackTarget } from './types.ts';

/** Attempts at most in a timed loop, whatever the machine's speed. */
const MAX_TIMED_ATTEMPTS = 200_000;

/** A LASS ver_format=3 line from `deviceId` now, padded with `|pad=…` to `padToBytes`. */
function lassLine(deviceId: string, tick: number, padToBytes = 0): string {
  const iso = new Date().toISOString();
  const line = encodeLassV3({
    fmtOpt: '0',
    app: 'PM25',
    verApp: '0.7.13',
    deviceId,
    tick,
    date: iso.slice(0, 10),
    time: iso.slice(11, 19),
    device: 'LinkItONE',
    sensors: [
      ['s_d0', 20],
      ['s_t0', 25],
      ['s_h0', 60],
    ],
    gps: { lat: 25.0254, lon: 121.3711, fix: 1, num: 9, alt: 10 },
  });
  const pad = padToBytes - line.length - '|pad='.length;
  return pad > 0 ? `${line}|pad=${'x'.repeat(pad)}` : line;
}

function loopOutcome(
  tally: Tally,
  attempts: number,
  seconds: number,
  extra: AttackOutcome['details'] = {},
) {
  return {
    said: `${attempts} attempts in ${seconds.toFixed(1)} s: ${tallyWords(tally)}`,
    details: { attempts, seconds: Math.round(seconds * 10) / 10, ...tally, ...extra },
  };
}

export const lassFlood: Attack = {
  name: 'lass-flood',
  title: (s) =>
    `anonymous LASS (--allow-anonymous-lass): ${s.lassFloodLoops} reconnect loops for ${s.lassFloodS} s, a new client id and device_id each time`,
  serveArgs: ['--allow-anonymous-lass'],
  async run({ ports, sizes, deadlineMs }: AttackTarget) {
    const t0 = Date.now();
    const untilMs = Math.min(deadlineMs, t0 + sizes.lassFloodS * 1000);
    const { tally, attempts } = await reconnectLoops(
      sizes.lassFloodLoops,
      untilMs,
      MAX_TIMED_ATTEMPTS,
      (n) => {
        const deviceId = `FLOOD_${n}`;
        return connectAndPublish(
          ports.mqtt,
          { clientId: `flood-${n}` },
          { topic: lassTopic(deviceId), payload: lassLine(deviceId, n) },
        );
      },
    );
    return loopOutcome(tally, attempts, (Date.now() - t0) / 1000, {
      loops: sizes.lassFloodLoops,
    });
  },
};

export const refusedPublishes: Attack = {
  name: 'refused-publishes',
  title: (s) =>
    `${s.refusedClients} registered boxes publishing readings on another box's topic, in reconnect loops for ${s.refusedS} s`,
  serveArgs: [],
  async run({ ports, sizes, deadlineMs, logins }: AttackTarget) {
    const t0 = Date.now();
    const untilMs = Math.min(deadlineMs, t0 + sizes.refusedS * 1000);
    const topic = nativeTopic(logins.victimId, 'reading');
    const { tally, attempts } = await reconnectLoops(
      logins.refusers.length,
      untilMs,
      MAX_TIMED_ATTEMPTS,
      (n, loop) => {
        const { deviceId, username, password } = logins.refusers[loop]!;
        const time = new Date().toISOString();
        const payload = `{"time":"${time}","lat":25.04,"lon":121.53,"pm25UgM3":${n % 500}}`;
        return connectAndPublish(
          ports.mqtt,
          { clientId: deviceId, username, password },
          {
            topic,
            payload,
          },
        );
      },
    );
    return loopOutcome(tally, attempts, (Date.now() - t0) / 1000, {
      clients: logins.refusers.length,
    });
  },
};

export const retainedFlood: Attack = {
  name: 'retained-flood',
  title: (s) =>
    `a registered box sends ${s.retainedCount} retained PUBLISHes of ${s.retainedBytes / 1024} KB on LASS/AirBox/<id>/<n>, ${s.retainedLoops} connections at a time`,
  serveArgs: [],
  async run({ ports, sizes, deadlineMs, logins }: AttackTarget) {
    const { deviceId, username, password } = logins.attacker;
    const t0 = Date.now();
    const { tally, attempts } = await reconnectLoops(
      sizes.retainedLoops,
      deadlineMs,
      sizes.retainedCount,
      (n, loop) =>
        // Clean sessions under `<id>-r<loop>`: the box's own id may be held once at a time.
        connectAndPublish(
          ports.mqtt,
          { clientId: `${deviceId}-r${loop}`, username, password },
          {
            topic: `LASS/AirBox/${deviceId}/${n}`,
            payload: lassLine(deviceId, n, sizes.retainedBytes),
            retain: true,
          },
        ),
    );
    return loopOutcome(tally, attempts, (Date.now() - t0) / 1000, {
      payloadBytes: sizes.retainedBytes,
    });
  },
};
