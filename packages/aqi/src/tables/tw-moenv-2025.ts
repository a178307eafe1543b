import { MOENV_CATEGORIES } from '../categories/moenv.ts';
import type { AqiTable } from '../types.ts';

// MOENV tightened the AQI thresholds from 2025-01-01 (民國114年1月1日), after the amended
// 空氣品質標準 of 2024-09-30 lowered the PM2.5 standards. The new PM2.5 bands end at the new
// annual (12 µg/m³) and 24-hour (30 µg/m³) standards.
export const TW_MOENV_2025: AqiTable = {
  id: 'tw-moenv-2025',
  scale: 'tw',
  agency: 'MOENV (環境部)',
  title: '空氣品質指標 (AQI), PM2.5 sub-index, 2025 revision',
  effectiveFrom: '2025-01-01T00:00:00+08:00',
  averagingPeriod: '24h',
  // MOENV AQI page, notes to the real-time AQI: a valid PM2.5 average keeps one decimal,
  // the second decimal rounded (四捨五入).
  concentrationStep: { decimals: 1, method: 'round' },
  sources: [
    {
      name: '環境部 空氣品質監測網 新版級距預告 (news ID 6073, 2024-11-28)',
      url: 'https://air.moenv.gov.tw/News/news.aspx?type=news&ID=6073',
    },
    {
      name: '臺南市歸仁區公所 空氣品質標準修正公告 (2024-12-04): AQI thresholds change from 114-01-01',
      url: 'https://gueiren.tainan.gov.tw/News_Content.aspx?n=13988&s=8709127',
    },
    {
      name: '環境部 空氣品質監測網 空氣品質指標 (AQI) 污染物濃度與污染副指標值對照表',
      url: 'https://airtw.moenv.gov.tw/',
    },
  ],
  verification:
    'Effective date confirmed from the 2024-12-04 public notice citing MOENV news 6073. ' +
    'PM2.5 breakpoints confirmed only from secondary sources: two independent public ' +
    'repositories that copy the airtw.moenv.gov.tw table (one keeps the 301–400 and 401–500 ' +
    'rows separate: 225.5–325.4 and 325.5–500.4). The MOENV table itself was not in the ' +
    'searchable corpus; check it before relying on the hazardous rows.',
  bands: [
    { lowUgM3: 0.0, highUgM3: 12.4, lowAqi: 0, highAqi: 50, category: 'good' },
    { lowUgM3: 12.5, highUgM3: 30.4, lowAqi: 51, highAqi: 100, category: 'moderate' },
    { lowUgM3: 30.5, highUgM3: 50.4, lowAqi: 101, highAqi: 150, category: 'unhealthy-sensitive' },
    { lowUgM3: 50.5, highUgM3: 125.4, lowAqi: 151, highAqi: 200, category: 'unhealthy' },
    { lowUgM3: 125.5, highUgM3: 225.4, lowAqi: 201, highAqi: 300, category: 'very-unhealthy' },
    { lowUgM3: 225.5, highUgM3: 325.4, lowAqi: 301, highAqi: 400, category: 'hazardous' },
    { lowUgM3: 325.5, highUgM3: 500.4, lowAqi: 401, highAqi: 500, category: 'hazardous' },
  ],
  categories: MOENV_CATEGORIES,
};
