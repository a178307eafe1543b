import { US_EPA_CATEGORIES } from '../categories/us-epa.ts';
import type { AqiTable } from '../types.ts';

// The PM2.5 AQI revised with the 2012 PM NAAQS (signed 2012-12-14, 78 FR 3086, published
// 2013-01-15, effective 2013-03-18). Kept so history is coloured by the table then in force.
export const US_EPA_2012: AqiTable = {
  id: 'us-epa-2012',
  scale: 'us',
  agency: 'US EPA',
  title: 'Air Quality Index (AQI), PM2.5, 2012 revision',
  // US tables switch at midnight US Eastern time (EPA publishes one date for all time zones).
  effectiveFrom: '2013-03-18T00:00:00-04:00',
  averagingPeriod: '24h',
  // TAD: truncate PM2.5 to one decimal before looking it up.
  concentrationStep: { decimals: 1, method: 'truncate' },
  sources: [
    {
      name: 'National Ambient Air Quality Standards for Particulate Matter; Final Rule, 78 FR 3086 (2013-01-15)',
      url: 'https://www.federalregister.gov/d/2012-30946',
    },
    {
      name: 'EPA, Technical Assistance Document for the Reporting of Daily Air Quality – the AQI, EPA-454/B-18-007 (Sept 2018), Table 5',
      url: 'https://www.airnow.gov/sites/default/files/2020-05/aqi-technical-assistance-document-sept2018.pdf',
    },
  ],
  verification:
    'Effective date from the Federal Register record of 78 FR 3086. Breakpoints match the ' +
    'Sept 2018 TAD as reproduced by several independent implementations and aqicn.org.',
  bands: [
    { lowUgM3: 0.0, highUgM3: 12.0, lowAqi: 0, highAqi: 50, category: 'good' },
    { lowUgM3: 12.1, highUgM3: 35.4, lowAqi: 51, highAqi: 100, category: 'moderate' },
    { lowUgM3: 35.5, highUgM3: 55.4, lowAqi: 101, highAqi: 150, category: 'unhealthy-sensitive' },
    { lowUgM3: 55.5, highUgM3: 150.4, lowAqi: 151, highAqi: 200, category: 'unhealthy' },
    { lowUgM3: 150.5, highUgM3: 250.4, lowAqi: 201, highAqi: 300, category: 'very-unhealthy' },
    { lowUgM3: 250.5, highUgM3: 350.4, lowAqi: 301, highAqi: 400, category: 'hazardous' },
    { lowUgM3: 350.5, highUgM3: 500.4, lowAqi: 401, highAqi: 500, category: 'hazardous' },
  ],
  categories: US_EPA_CATEGORIES,
};
