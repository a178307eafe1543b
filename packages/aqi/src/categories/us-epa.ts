import type { Category, CategoryKey } from '../types.ts';

// US EPA AQI categories.
//
// Names: 40 CFR Part 58, Appendix G, section 2.2.1 (the only descriptors and colours an AQI
// report may use). Hex values: the RGB values in EPA's Technical Assistance Document for the
// Reporting of Daily Air Quality – the Air Quality Index (AQI), EPA-454/B-24-002, May 2024
// (green 0,228,0 = #00E400 … maroon 126,0,35 = #7E0023). The zh-TW names are Taiwan's
// wording for the same six categories (MOENV's AQI uses the same category structure).
//
// Advice: paraphrased from the TAD's PM2.5 cautionary statements. For particle pollution EPA
// counts children and teenagers among the sensitive groups, so at "Unhealthy for Sensitive
// Groups" the advice already applies to all students.
export const US_EPA_CATEGORIES: Readonly<Record<CategoryKey, Category>> = {
  good: {
    key: 'good',
    name: { en: 'Good', zhTw: '良好' },
    colourHex: '#00E400',
    outdoorActivity: 'fine',
    advice: {
      en: 'The air is clean. Outdoor lessons, PE and break time go ahead as usual.',
      zhTw: '空氣良好，戶外課程、體育課與下課活動照常進行。',
    },
  },
  moderate: {
    key: 'moderate',
    name: { en: 'Moderate', zhTw: '普通' },
    colourHex: '#FFFF00',
    outdoorActivity: 'fine',
    advice: {
      en: 'Outdoor activity is fine. Students who are unusually sensitive to particle pollution should take it easier and rest if they cough or feel short of breath.',
      zhTw: '可正常戶外活動。對懸浮微粒特別敏感的學生應放慢活動，若咳嗽或呼吸急促就休息。',
    },
  },
  'unhealthy-sensitive': {
    key: 'unhealthy-sensitive',
    name: { en: 'Unhealthy for Sensitive Groups', zhTw: '對敏感族群不健康' },
    colourHex: '#FF7E00',
    outdoorActivity: 'reduce-for-sensitive',
    advice: {
      en: 'Keep outdoor activity shorter and lighter, with more breaks. Students with asthma should follow their asthma action plan and keep their inhaler with them.',
      zhTw: '戶外活動應縮短、降低強度並多休息。氣喘學生應依照氣喘行動計畫，並隨身攜帶吸入劑。',
    },
  },
  unhealthy: {
    key: 'unhealthy',
    name: { en: 'Unhealthy', zhTw: '對所有族群不健康' },
    colourHex: '#FF0000',
    outdoorActivity: 'reduce-for-everyone',
    advice: {
      en: 'Avoid long or hard outdoor exercise; move PE indoors or reschedule it. Students with asthma or heart or lung problems should stay indoors.',
      zhTw: '避免長時間或劇烈的戶外運動，體育課改在室內或延後。有氣喘、心臟或呼吸道疾病的學生應留在室內。',
    },
  },
  'very-unhealthy': {
    key: 'very-unhealthy',
    name: { en: 'Very Unhealthy', zhTw: '非常不健康' },
    colourHex: '#8F3F97',
    outdoorActivity: 'move-indoors',
    advice: {
      en: 'Stop outdoor activities. Move lessons, PE and break time indoors.',
      zhTw: '停止戶外活動，課程、體育課與下課活動改在室內進行。',
    },
  },
  hazardous: {
    key: 'hazardous',
    name: { en: 'Hazardous', zhTw: '危害' },
    colourHex: '#7E0023',
    outdoorActivity: 'move-indoors',
    advice: {
      en: 'Stop all outdoor activities. Keep everyone indoors with doors and windows closed.',
      zhTw: '停止一切戶外活動，所有人留在室內並關閉門窗。',
    },
  },
};
