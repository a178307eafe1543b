import { MEASURES } from '@airbox/contracts';

/**
 * zh-TW explanations of the QC flag codes of @airbox/contracts (flags.ts holds the English
 * ones). The measure flags are written from the MEASURES table (zh name, range, unit), as
 * the English ones are. A code missing here falls back to the English text.
 */

/** A range bound as the texts write it: a true minus sign (U+2212), not a hyphen. */
const bound = (n: number): string => String(n).replace('-', '−');

function measureTexts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { id, labelZh: name, min, max, unit } of MEASURES) {
    out[`${id}-missing`] = `沒有回報${name}，或回報為「N/A」或空值。`;
    out[`${id}-invalid`] = `${name}不是數字；數值記為空。`;
    out[`${id}-out-of-range`] =
      `${name}超出 ${bound(min)}…${bound(max)} ${unit} 的合理範圍；原始值仍保留，但不計入平均與校正。`;
  }
  return out;
}

export const FLAG_TEXT_ZH_TW: Record<string, string> = {
  ...measureTexts(),
  'pm-order': 'PM1 > PM2.5 或 PM2.5 > PM10 超過 1 µg/m³：同一顆感測器的粒徑數值互相矛盾。',
  'clock-invalid':
    '裝置時間不可能成立（2014 年以前、超前一天以上，或 GPS 預設日期如 2080-01-06、6/1/80）；time 改用接收時間，deviceTime 保留裝置原本的時間。',
  'clock-skew': '裝置時間比訊息接收時間快了 10 分鐘以上。',
  'position-missing': '沒有回報位置。',
  'position-registered': '沒有回報位置，改用擁有者登記盒子時設定的位置。',
  'position-invalid':
    '位置不可能成立（緯度超過 ±90°、經度超過 ±180°，或正好是 0,0）；經緯度記為空。',
  'position-no-fix': 'GPS 尚未定位（gps_fix=0）：位置是最後已知或預設的位置。',
  'humidity-high': '相對濕度高於 95 %：吸濕成長使光學感測器讀數偏高；含濕度項的校正會修正。',
  spike: 'PM2.5 與此裝置最近的讀數相差過大（串流處理器判定）。',
  stuck: 'PM2.5 連續多筆完全沒有變化：感測器或風扇可能卡住（串流處理器判定）。',
  'position-jump': '固定的盒子與上一筆相比移動了不合理的距離（串流處理器判定）。',
};
