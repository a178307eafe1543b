import { MOENV_CATEGORIES } from '../categories/moenv.ts';
import type { AqiTable } from '../types.ts';

// The AQI that replaced Taiwan's PSI on 2016-12-01 (then EPA 環保署, now MOENV 環境部).
export const TW_MOENV_2016: AqiTable = {
  id: 'tw-moenv-2016',
  scale: 'tw',
  agency: 'MOENV (環境部), formerly EPA (行政院環境保護署)',
  title: '空氣品質指標 (AQI), PM2.5 sub-index, 2016 table',
  effectiveFrom: '2016-12-01T00:00:00+08:00',
  averagingPeriod: '24h',
  // MOENV AQI page, notes to the real-time AQI: a valid PM2.5 average keeps one decimal,
  // the second decimal rounded (四捨五入).
  concentrationStep: { decimals: 1, method: 'round' },
  sources: [
    {
      name: '環保署 空氣品質指標 (AQI) 污染物濃度與污染副指標值對照表, 細懸浮微粒 PM2.5 24小時平均值',
      url: 'https://airtw.moenv.gov.tw/',
    },
    {
      name: 'Taiwan AQI table reproduced in PMC9133359, Table 2',
      url: 'https://pmc.ncbi.nlm.nih.gov/articles/PMC9133359/',
    },
    {
      name: 'EPA announcement of the AQI from 2016-12-01, reported by 卡優新聞網 2016-11-29',
      url: 'https://betawebcloud.starwin.me/news/detail.php?ns_pk=31280&nt_pk=28',
    },
  ],
  verification:
    'Breakpoints match the Taiwan AQI table reproduced in PMC9133359 Table 2 and the 2016 ' +
    'press coverage (orange from 35.5 µg/m³ 24-h). The MOENV page itself was not in the ' +
    'searchable corpus.',
  bands: [
    { lowUgM3: 0.0, highUgM3: 15.4, lowAqi: 0, highAqi: 50, category: 'good' },
    { lowUgM3: 15.5, highUgM3: 35.4, lowAqi: 51, highAqi: 100, category: 'moderate' },
    { lowUgM3: 35.5, highUgM3: 54.4, lowAqi: 101, highAqi: 150, category: 'unhealthy-sensitive' },
    { lowUgM3: 54.5, highUgM3: 150.4, lowAqi: 151, highAqi: 200, category: 'unhealthy' },
    { lowUgM3: 150.5, highUgM3: 250.4, lowAqi: 201, highAqi: 300, category: 'very-unhealthy' },
    { lowUgM3: 250.5, highUgM3: 350.4, lowAqi: 301, highAqi: 400, category: 'hazardous' },
    { lowUgM3: 350.5, highUgM3: 500.4, lowAqi: 401, highAqi: 500, category: 'hazardous' },
  ],
  categories: MOENV_CATEGORIES,
};
