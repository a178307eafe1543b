import { describe, expect, it } from 'vitest';
import { countyAt, findCounty, loadCounties } from '../src/index.ts';

describe('counties of the bundled map', () => {
  it('has the 22 counties, found by today’s name, the old one, or the code', () => {
    expect(loadCounties()).toHaveLength(22);
    expect(findCounty('臺北市')?.name).toBe('台北市');
    expect(findCounty('桃園市')?.name).toBe('桃園縣');
    expect(findCounty('63000001')?.name).toBe('台北市');
    expect(findCounty('Atlantis')).toBeNull();
  });

  it('puts known places in their county and the sea in none', () => {
    // Taipei 101, Kaohsiung main station, Hualien station, Kinmen airport.
    expect(countyAt(25.0339, 121.5645)?.name).toBe('台北市');
    expect(countyAt(22.6394, 120.3025)?.name).toBe('高雄市');
    expect(countyAt(23.9929, 121.6011)?.name).toBe('花蓮縣');
    expect(countyAt(24.4328, 118.3722)?.name).toBe('金門縣');
    expect(countyAt(23.5, 119.9)).toBeNull();
  });
});
