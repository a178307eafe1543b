import { describe, expect, it } from 'vitest';
import { CalibrationError, parsePairs, readPairFile, type PairFormat } from '../src/index.ts';

const GENERIC_HEADER = 'site,time,raw_pm25,rh,temperature_c,ref_pm25';
const PA_HEADER =
  'sensor_index,DAILY,conc,A_B_Avg,pm2.5_cf_1_a,pm2.5_cf_1_b,humidity_a,temp_Celsius,dewPoint,n';

function failure(text: string, format?: PairFormat): CalibrationError {
  try {
    parsePairs(text, 'pairs.csv', format);
  } catch (e) {
    if (e instanceof CalibrationError) return e;
    throw e;
  }
  throw new Error('expected a CalibrationError');
}

describe('generic CSV', () => {
  it('reads pairs; skips rows without raw or reference; NA and empty cells are missing', () => {
    const text = [
      `\uFEFF${GENERIC_HEADER}`,
      'box-1,2026-03-01,12.5,61,24.5,8.1',
      '"Taipei, Wanhua",2026-03-01T00:00:00+08:00,20,NA,,13',
      'box-1,2026-03-02,,70,25,9',
      'box-1,2026-03-03,11,55,N/A,7.5',
      '',
    ].join('\r\n');
    const file = parsePairs(text, 'pairs.csv');
    expect(file.format).toBe('generic');
    expect([file.rows, file.skippedRows, file.sites]).toEqual([4, 1, ['box-1', 'Taipei, Wanhua']]);
    expect(file.pairs).toEqual([
      {
        site: 'box-1',
        time: '2026-03-01',
        rawPm25UgM3: 12.5,
        rhPct: 61,
        temperatureC: 24.5,
        refPm25UgM3: 8.1,
      },
      {
        site: 'Taipei, Wanhua',
        time: '2026-03-01T00:00:00+08:00',
        rawPm25UgM3: 20,
        rhPct: null,
        temperatureC: null,
        refPm25UgM3: 13,
      },
      {
        site: 'box-1',
        time: '2026-03-03',
        rawPm25UgM3: 11,
        rhPct: 55,
        temperatureC: null,
        refPm25UgM3: 7.5,
      },
    ]);
  });

  it('ignores extra columns and their order', () => {
    const text = 'ref_pm25,note,rh,site,temperature_c,time,raw_pm25\n8,ok,60,A,20,2026-03-01,12\n';
    expect(parsePairs(text, 'x.csv').pairs[0]?.rawPm25UgM3).toBe(12);
  });
});

describe('PurpleAir daily (sensor_index, DAILY, conc, two CF=1 channels…)', () => {
  // Invented values in the layout of MartineMathieu/PurpleAir-calibration's daily table.
  const text = [
    PA_HEADER,
    '1001,2022-05-01,6.5,7.0,6.0,8.0,52.5,21.0,11.0,24',
    '1001,2022-05-02,NA,9.0,9.0,9.0,48.0,22.0,10.0,24',
    '2002,2022-05-01,10.25,14.0,13.0,15.5,60.0,19.5,11.5,23',
  ].join('\n');

  it('is detected from its header; raw = mean of the A and B channels', () => {
    const file = parsePairs(text, 'pa.csv');
    expect(file.format).toBe('purpleair-daily');
    expect(file.pairs.map((p) => [p.site, p.time, p.rawPm25UgM3, p.rhPct, p.refPm25UgM3])).toEqual([
      ['1001', '2022-05-01', 7, 52.5, 6.5],
      ['2002', '2022-05-01', 14.25, 60, 10.25],
    ]);
    expect(file.skippedRows).toBe(1);
  });
});

describe('format errors name the file, the line or column, and what to do', () => {
  const cases: [string, string, PairFormat | undefined, string, RegExp][] = [
    ['an empty file', '', undefined, 'empty-file', /pairs\.csv: the file is empty/],
    ['only blank lines', '\n\r\n  \n', 'generic', 'empty-file', /expected a header line/],
    [
      'missing columns (generic)',
      'site,time,rh,temperature_c\nA,2026-03-01,50,20\n',
      'generic',
      'missing-columns',
      /needs column\(s\) raw_pm25, ref_pm25/,
    ],
    [
      'missing columns (purpleair-daily)',
      'sensor_index,DAILY,conc,pm2.5_cf_1_a,humidity_a,temp_Celsius\n',
      'purpleair-daily',
      'missing-columns',
      /needs column\(s\) pm2\.5_cf_1_b/,
    ],
    [
      'a header of neither format',
      'station,pm25\nA,3\n',
      undefined,
      'unknown-format',
      /matches no known format: generic \(missing site, time/,
    ],
    [
      'a non-numeric cell',
      `${GENERIC_HEADER}\nA,2026-03-01,12,50,20,8\nA,2026-03-02,12,50,hot,8\n`,
      undefined,
      'non-numeric-cell',
      /pairs\.csv, line 3, column temperature_c: "hot" is not a number/,
    ],
    [
      'units off by 1000 (ng/m³)',
      `${GENERIC_HEADER}\nA,2026-03-01,12000,50,20,8000\nA,2026-03-02,15000,50,20,9500\n`,
      undefined,
      'units-off-by-1000',
      /median raw_pm25 is 13500.*looks like ng\/m³; divide the column by 1000/,
    ],
    [
      'reference only off by 1000',
      `${PA_HEADER}\n1,2022-05-01,6500,7,6,8,50,20,10,24\n1,2022-05-02,7200,8,7,9,50,20,10,24\n`,
      undefined,
      'units-off-by-1000',
      /median conc is 6850/,
    ],
    [
      'a site with no data (generic)',
      `${GENERIC_HEADER}\nA,2026-03-01,12,50,20,8\nB,2026-03-01,,50,20,\nB,2026-03-02,10,50,20,NA\n`,
      undefined,
      'site-without-data',
      /no row with both raw_pm25 and ref_pm25 at site B \(2 rows\)/,
    ],
    [
      'a station with no data (purpleair-daily)',
      `${PA_HEADER}\n1,2022-05-01,6.5,7,6,8,50,20,10,24\n2,2022-05-01,NA,7,6,8,50,20,10,24\n`,
      undefined,
      'site-without-data',
      /both raw \(mean of pm2\.5_cf_1_a and pm2\.5_cf_1_b\) and conc at site 2 \(1 row\)/,
    ],
    ['a header and no rows', `${GENERIC_HEADER}\n`, undefined, 'no-pairs', /no data rows/],
    [
      'RH above 100 %',
      `${GENERIC_HEADER}\nA,2026-03-01,12,150,20,8\n`,
      undefined,
      'out-of-range',
      /line 2: RH 150 % is outside 0–100/,
    ],
    [
      'an unparsable time',
      `${GENERIC_HEADER}\nA,yesterday,12,50,20,8\n`,
      undefined,
      'bad-row',
      /line 2: time "yesterday" is not an ISO 8601/,
    ],
    [
      'a short row',
      `${GENERIC_HEADER}\nA,2026-03-01,12\n`,
      undefined,
      'bad-row',
      /line 2: 3 cells, but the header has 6/,
    ],
  ];
  it.each(cases)('%s', (_name, text, format, code, message) => {
    const error = failure(text, format);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('a file that is not there is a plain ENOENT, for the caller to word', async () => {
    await expect(readPairFile('/nonexistent/pairs.csv')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
