import { afterEach, describe, expect, it } from 'vitest';
import { Harness, MINUTE_MS, T0 } from './evaluator-harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('threshold alerts on a box', () => {
  it('one alert per episode, none while it stays above, one clear after falling below', async () => {
    h = await Harness.open();
    const mei = await h.account('mei@example.org');
    await h.box({ deviceId: 'school-1', name: 'Schoolyard' });
    await h.subscribe(mei, {
      target: { deviceId: 'school-1' },
      kind: 'threshold',
      thresholdUgM3: 35,
      forMinutes: 10,
    });
    await h.start();

    await h.minutes(10, ['school-1'], 80);
    expect(h.types()).toEqual([]);
    await h.minutes(1, ['school-1'], 80);
    expect(h.types()).toEqual(['alert']);
    expect(h.outbox.events[0]).toMatchObject({
      deviceIds: ['school-1'],
      targetLabel: 'Schoolyard',
      valueUgM3: 80,
      thresholdUgM3: 35,
      at: new Date(T0 + 10 * MINUTE_MS).toISOString(),
    });
    await h.minutes(60, ['school-1'], 80);
    expect(h.types()).toEqual(['alert']);
    // The hourly mean falls below 30 (the default, threshold − 5) once 41 minutes are clean.
    await h.minutes(45, ['school-1'], 5);
    expect(h.types()).toEqual(['alert']);
    await h.minutes(10, ['school-1'], 5);
    expect(h.types()).toEqual(['alert', 'clear']);
    const [alert, clear] = h.outbox.events;
    expect(clear!.key.replace(':clear:', ':alert:')).toBe(alert!.key);
  });

  it('a value in the band between clear and threshold neither alerts nor clears', async () => {
    h = await Harness.open();
    const mei = await h.account('mei@example.org');
    await h.box({ deviceId: 'b' });
    await h.subscribe(mei, {
      target: { deviceId: 'b' },
      kind: 'threshold',
      thresholdUgM3: 35,
      forMinutes: 5,
      clearBelowUgM3: 20,
      averaging: 'nowcast',
    });
    await h.start();
    await h.minutes(200, ['b'], 30);
    expect(h.types()).toEqual([]);
  });

  it('after a restart, an ongoing episode is neither forgotten nor told again', async () => {
    h = await Harness.open();
    const mei = await h.account('mei@example.org');
    await h.box({ deviceId: 'b' });
    await h.subscribe(mei, {
      target: { deviceId: 'b' },
      kind: 'threshold',
      thresholdUgM3: 35,
      forMinutes: 5,
    });
    await h.start();
    await h.minutes(10, ['b'], 90);
    expect(h.types()).toEqual(['alert']);
    await h.evaluator!.stop();
    await h.start();
    await h.minutes(30, ['b'], 90);
    expect(h.types()).toEqual(['alert']);
    // The hourly mean falls below 30 after 41 clean minutes, then 5 more clear the episode.
    await h.minutes(40, ['b'], 4);
    expect(h.types()).toEqual(['alert']);
    await h.minutes(10, ['b'], 4);
    expect(h.types()).toEqual(['alert', 'clear']);
  });

  it('a category alert names the category the air is in, for the advice the school page shows', async () => {
    h = await Harness.open();
    const mei = await h.account('mei@example.org');
    await h.box({ deviceId: 'b' });
    await h.subscribe(mei, {
      target: { deviceId: 'b' },
      kind: 'category',
      category: 'unhealthy-sensitive',
      scale: 'tw',
    });
    await h.start();
    await h.minutes(3, ['b'], 10);
    expect(h.types()).toEqual([]);
    // The hour's mean, (3 × 10 + 100) / 4 = 32.5 µg/m³, is 'unhealthy-sensitive' on MOENV's 2025 scale.
    await h.minutes(1, ['b'], 100);
    await h.minutes(1, ['b'], 300);
    expect(h.outbox.events.map((e) => [e.type, e.category])).toEqual([
      ['alert', 'unhealthy-sensitive'],
    ]);
  });

  it('tells nobody about a private box they may not see', async () => {
    h = await Harness.open();
    const owner = await h.account('owner@example.org');
    const stranger = await h.account('stranger@example.org');
    await h.box({ deviceId: 'home', visibility: 'private', owner: { kind: 'account', id: owner } });
    await h.subscribe(stranger, {
      target: { deviceId: 'home' },
      kind: 'threshold',
      thresholdUgM3: 35,
      forMinutes: 1,
    });
    await h.subscribe(owner, {
      target: { deviceId: 'home' },
      kind: 'threshold',
      thresholdUgM3: 35,
      forMinutes: 1,
    });
    await h.start();
    await h.minutes(5, ['home'], 200);
    expect(h.outbox.events).toHaveLength(1);
  });
});

describe('offline alerts', () => {
  it('300 boxes going quiet at once make ONE event naming them all; a return makes one online', async () => {
    h = await Harness.open();
    const head = await h.account('head@example.org');
    const org = await h.registry.orgs.create({ name: 'Jianguo High', kind: 'school' }, head);
    const ids = Array.from({ length: 300 }, (_, i) => `room-${String(i).padStart(3, '0')}`);
    for (const deviceId of ids) await h.box({ deviceId, owner: { kind: 'org', id: org.id } });
    await h.subscribe(head, {
      target: { orgId: org.id },
      kind: 'offline',
      offlineAfterMinutes: 10,
    });
    await h.start();
    await h.minutes(1, ids, 10);
    h.nowMs += 8 * MINUTE_MS;
    await h.evaluator!.sweep();
    expect(h.types()).toEqual([]);
    h.nowMs += 2 * MINUTE_MS;
    await h.evaluator!.sweep();
    await h.evaluator!.sweep();
    expect(h.types()).toEqual(['offline']);
    expect(h.outbox.events[0]!.deviceIds).toEqual(ids);
    h.publish(['room-007'], 10);
    await h.evaluator!.sweep();
    expect(h.outbox.events.map((e) => [e.type, e.deviceIds])).toEqual([
      ['offline', ids],
      ['online', ['room-007']],
    ]);
  });

  it('boxes going quiet a sweep apart join one message', async () => {
    h = await Harness.open();
    const mei = await h.account('mei@example.org');
    const org = await h.registry.orgs.create({ name: 'School', kind: 'school' }, mei);
    for (const deviceId of ['r1', 'r2', 'r3']) {
      await h.box({ deviceId, owner: { kind: 'org', id: org.id } });
    }
    await h.subscribe(mei, { target: { orgId: org.id }, kind: 'offline', offlineAfterMinutes: 5 });
    await h.start();
    h.publish(['r1', 'r2', 'r3'], 10);
    h.nowMs += 30_000;
    h.publish(['r3'], 10);
    for (let i = 0; i < 12; i++) {
      h.nowMs += 30_000;
      await h.evaluator!.sweep();
    }
    expect(h.outbox.events.map((e) => e.deviceIds)).toEqual([['r1', 'r2', 'r3']]);
  });

  it('after a restart boxes get the full quiet time from the start, and those told before are not told again', async () => {
    h = await Harness.open();
    const mei = await h.account('mei@example.org');
    await h.box({ deviceId: 'a' });
    await h.box({ deviceId: 'b' });
    await h.subscribe(mei, { target: { deviceId: 'a' }, kind: 'offline', offlineAfterMinutes: 5 });
    await h.subscribe(mei, { target: { deviceId: 'b' }, kind: 'offline', offlineAfterMinutes: 5 });
    await h.start();
    await h.minutes(1, ['a', 'b'], 10);
    h.publish(['b'], 10);
    h.nowMs += 6 * MINUTE_MS;
    h.publish(['b'], 10);
    await h.evaluator!.sweep();
    await h.evaluator!.sweep();
    expect(h.outbox.events.map((e) => e.deviceIds)).toEqual([['a']]);
    // The server is down for an hour; neither box could reach it.
    await h.evaluator!.stop();
    h.nowMs += 60 * MINUTE_MS;
    await h.start();
    h.nowMs += 4 * MINUTE_MS;
    await h.evaluator!.sweep();
    expect(h.outbox.events).toHaveLength(1);
    h.nowMs += 2 * MINUTE_MS;
    await h.evaluator!.sweep();
    await h.evaluator!.sweep();
    expect(h.outbox.events.map((e) => [e.type, e.deviceIds])).toEqual([
      ['offline', ['a']],
      ['offline', ['b']],
    ]);
  });
});

describe('area alerts', () => {
  it('take the median of public outdoor trusted boxes, never private or indoor ones, and name none', async () => {
    h = await Harness.open();
    const mei = await h.account('mei@example.org');
    const pub = ['p1', 'p2', 'p3'];
    for (const deviceId of pub) await h.box({ deviceId });
    await h.box({ deviceId: 'secret', visibility: 'private', owner: { kind: 'account', id: mei } });
    await h.box({ deviceId: 'classroom', placement: 'indoor' });
    await h.box({ deviceId: 'kaohsiung', lat: 22.63, lon: 120.3 });
    await h.subscribe(mei, {
      target: { area: { county: '臺北市' } },
      kind: 'threshold',
      thresholdUgM3: 35,
      forMinutes: 1,
    });
    await h.start();
    for (let i = 0; i < 5; i++) {
      h.publish(['p1'], 10);
      h.publish(['p2', 'p3'], 12);
      h.publish(['secret', 'classroom', 'kaohsiung'], 400);
      h.publish(['p3'], 500, { flags: ['pm-order'] });
      h.nowMs += MINUTE_MS;
      await h.evaluator!.sweep();
    }
    expect(h.types()).toEqual([]);
    for (let i = 0; i < 8; i++) {
      h.publish(pub, 90);
      h.nowMs += MINUTE_MS;
      await h.evaluator!.sweep();
    }
    expect(h.types()).toEqual(['alert']);
    expect(h.outbox.events[0]).toMatchObject({ deviceIds: [], targetLabel: '台北市' });
  });
});
