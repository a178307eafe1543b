import { describe, expect, it } from 'vitest';
import { lassTopic, nativeTopic, parseTopic } from '../src/index.ts';

describe('topics', () => {
  it.each([
    ['airbox/v1/box-1/reading', { family: 'native', deviceId: 'box-1', kind: 'reading' }],
    ['airbox/v1/box-1/batch', { family: 'native', deviceId: 'box-1', kind: 'batch' }],
    ['airbox/v1/box-1/status', { family: 'native', deviceId: 'box-1', kind: 'status' }],
    ['LASS/Test/PM25', { family: 'lass', topic: 'LASS/Test/PM25' }],
    ['LASS/Test/PM25/live', { family: 'lass', topic: 'LASS/Test/PM25/live' }],
    [
      'LASS/Test/PM25/FT1_003',
      { family: 'lass', deviceId: 'FT1_003', topic: 'LASS/Test/PM25/FT1_003' },
    ],
    ['LASS/Test/Pm25Ameba/A7', { family: 'lass', deviceId: 'A7', topic: 'LASS/Test/Pm25Ameba/A7' }],
    ['LASS/Test/MAPS', { family: 'lass', topic: 'LASS/Test/MAPS' }],
    ['LASS/Test/EXAMPLE_APP1', { family: 'lass', topic: 'LASS/Test/EXAMPLE_APP1' }],
    ['LASS/AirBox/74DA38/x', { family: 'lass', topic: 'LASS/AirBox/74DA38/x' }],
  ])('parses %s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it.each([
    'airbox/v2/box/reading',
    'airbox/v1/box/other',
    'airbox/v1//reading',
    'foo/bar',
    'LASS/Other',
  ])('rejects %s', (topic) => {
    expect(parseTopic(topic)).toBeNull();
  });

  it('builds what it parses', () => {
    expect(parseTopic(nativeTopic('b1', 'config'))).toMatchObject({
      deviceId: 'b1',
      kind: 'config',
    });
    expect(parseTopic(lassTopic('FT1_1'))).toMatchObject({ deviceId: 'FT1_1' });
  });
});
