import { US_EPA_CATEGORIES } from '../categories/us-epa.ts';
import type { AqiTable } from '../types.ts';

// The PM2.5 AQI revised with the 2024 PM NAAQS reconsideration (89 FR 16202, published
// 2024-03-06, effective 2024-05-06). The rule merged the two hazardous rows into one,
// 225.5–325.4 µg/m³ → 301–500; above 325.4 the AQI is "beyond the index".
export const US_EPA_2024: AqiTable = {
  id: 'us-epa-2024',
  scale: 'us',
  agency: 'US EPA',
  title: 'Air Quality Index (AQI), PM2.5, 2024 revision',
  // US tables switch at midnight US Eastern time (EPA publishes one date for all time zones).
  effectiveFrom: '2024-05-06T00:00:00-04:00',
  averagingPeriod: '24h',
  // TAD: truncate PM2.5 to one decimal before looking it up.
  concentrationStep: { decimals: 1, method: 'truncate' },
  sources: [
    {
      name: 'Reconsideration of the National Ambient Air Quality Standards for Particulate Matter; Final Rule, 89 FR 16202 (2024-03-06)',
      url: 'https://www.federalregister.gov/d/2024-02637',
    },
    {
      name: 'EPA, Technical Assistance Document for the Reporting of Daily Air Quality – the AQI, EPA-454/B-24-002 (May 2024), Table 6',
      url: 'https://document.airnow.gov/technical-assistance-document-for-the-reporting-of-daily-air-quailty.pdf',
    },
    {
      name: 'EPA fact sheet: Final Updates to the Air Quality Index (AQI) for Particulate Matter (Feb 2024)',
      url: 'https://www.epa.gov/system/files/documents/2024-02/pm-naaqs-air-quality-index-fact-sheet.pdf',
    },
  ],
  verification:
    'Effective date from the Federal Register (89 FR 16202: "This final rule is effective ' +
    'May 6, 2024"). Breakpoints 0–9.0 … 125.5–225.4 agree across every source found; the ' +
    'merged hazardous row 225.5–325.4 → 301–500 follows the TAD, though some third-party ' +
    'code still splits it at 325.4/500.4.',
  bands: [
    { lowUgM3: 0.0, highUgM3: 9.0, lowAqi: 0, highAqi: 50, category: 'good' },
    { lowUgM3: 9.1, highUgM3: 35.4, lowAqi: 51, highAqi: 100, category: 'moderate' },
    { lowUgM3: 35.5, highUgM3: 55.4, lowAqi: 101, highAqi: 150, category: 'unhealthy-sensitive' },
    { lowUgM3: 55.5, highUgM3: 125.4, lowAqi: 151, highAqi: 200, category: 'unhealthy' },
    { lowUgM3: 125.5, highUgM3: 225.4, lowAqi: 201, highAqi: 300, category: 'very-unhealthy' },
    { lowUgM3: 225.5, highUgM3: 325.4, lowAqi: 301, highAqi: 500, category: 'hazardous' },
  ],
  categories: US_EPA_CATEGORIES,
};
