import type { Category, CategoryKey } from '../types.ts';

// Taiwan MOENV (環境部, formerly EPA 環保署) AQI categories.
//
// Names: MOENV's AQI page, https://airtw.moenv.gov.tw/ (空氣品質指標 / "AQI value and impact on
// health"). The English names are MOENV's own English page's.
//
// Advice: paraphrased from the 活動建議 (activity guidance) rows of MOENV's AQI table, which
// speak to the general public, to students and to sensitive groups. Checked against a MOENV
// alert relayed by 連江縣環境資源局 (2017-12-05, AQI 156: students avoid long strenuous exercise
// and rest more) and against a copy of MOENV's English AQI page carrying the 2025 breakpoints
// (201–500: students stop outdoor activities and move classes indoors).
//
// Colours: MOENV names the six colours 綠、黃、橘、紅、紫、褐紅 (green, yellow, orange, red,
// purple, maroon). Its own hex values could not be confirmed from a MOENV document; these reuse
// the US EPA values (see ./us-epa.ts), the index MOENV's 2016 AQI was modelled on. Check them
// against airtw.moenv.gov.tw before relying on exact shades.
export const MOENV_CATEGORIES: Readonly<Record<CategoryKey, Category>> = {
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
      en: 'Outdoor activity is fine. Students who are very sensitive to air pollution should rest if they start coughing or get short of breath.',
      zhTw: '可正常戶外活動。對空氣污染特別敏感的學生若出現咳嗽或呼吸急促，應休息觀察。',
    },
  },
  'unhealthy-sensitive': {
    key: 'unhealthy-sensitive',
    name: { en: 'Unhealthy for Sensitive Groups', zhTw: '對敏感族群不健康' },
    colourHex: '#FF7E00',
    outdoorActivity: 'reduce-for-sensitive',
    advice: {
      en: 'Students can still go outside but should cut down on long, hard exercise. Students with asthma or heart or lung problems should take it easy outdoors and keep their inhaler with them.',
      zhTw: '學生仍可到戶外活動，但應減少長時間劇烈運動。有氣喘、心臟或呼吸道疾病的學生應減少戶外體力活動，並隨身攜帶吸入劑。',
    },
  },
  unhealthy: {
    key: 'unhealthy',
    name: { en: 'Unhealthy', zhTw: '對所有族群不健康' },
    colourHex: '#FF0000',
    outdoorActivity: 'reduce-for-everyone',
    advice: {
      en: 'Everyone should do less outside: no long, hard exercise, and more rest breaks. Students with asthma or heart or lung problems should stay indoors.',
      zhTw: '所有人都應減少戶外活動：避免長時間劇烈運動，並增加休息時間。有氣喘、心臟或呼吸道疾病的學生應留在室內。',
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
