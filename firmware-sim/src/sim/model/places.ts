/**
 * Where people live and where industry burns: the data behind box placement and local
 * plumes. Populations are the Ministry of the Interior's household-registration totals for
 * December 2020 (https://www.ris.gov.tw/app/portal/346), in thousands, rounded; the big
 * cities and counties are split into a few district groups so that boxes spread the way
 * people do, with the group's rough centre and a Gaussian scatter (`scatterKm`, one sd).
 * Coordinates are district centres read from OpenStreetMap, rounded to 0.01°.
 */

export interface Place {
  name: string;
  lat: number;
  lon: number;
  /** Residents, thousands (MOI household registration, Dec 2020; grouped districts). */
  populationK: number;
  /** One standard deviation of the scatter around the centre, km. */
  scatterKm: number;
}

export const POPULATED_PLACES: readonly Place[] = [
  { name: 'Taipei City', lat: 25.04, lon: 121.54, populationK: 2600, scatterKm: 4 },
  {
    name: 'Banqiao–Zhonghe–Yonghe–Tucheng',
    lat: 25.0,
    lon: 121.48,
    populationK: 1420,
    scatterKm: 3,
  },
  { name: 'Sanchong–Xinzhuang–Luzhou', lat: 25.05, lon: 121.46, populationK: 1100, scatterKm: 3 },
  { name: 'Xindian', lat: 24.97, lon: 121.53, populationK: 350, scatterKm: 2.5 },
  { name: 'Xizhi', lat: 25.07, lon: 121.65, populationK: 200, scatterKm: 2 },
  { name: 'Tamsui', lat: 25.17, lon: 121.45, populationK: 180, scatterKm: 2 },
  { name: 'Shulin–Yingge–Sanxia', lat: 24.95, lon: 121.39, populationK: 385, scatterKm: 3 },
  { name: 'Keelung', lat: 25.13, lon: 121.73, populationK: 367, scatterKm: 2 },
  { name: 'Taoyuan–Guishan–Bade', lat: 24.99, lon: 121.3, populationK: 1000, scatterKm: 4 },
  { name: 'Zhongli–Pingzhen', lat: 24.95, lon: 121.22, populationK: 670, scatterKm: 4 },
  { name: 'Yangmei', lat: 24.91, lon: 121.15, populationK: 170, scatterKm: 3 },
  { name: 'Dayuan–Luzhu', lat: 25.05, lon: 121.27, populationK: 250, scatterKm: 3 },
  { name: 'Hsinchu City', lat: 24.8, lon: 120.97, populationK: 450, scatterKm: 3 },
  { name: 'Zhubei–Hukou', lat: 24.83, lon: 121.03, populationK: 400, scatterKm: 3 },
  { name: 'Miaoli City', lat: 24.56, lon: 120.82, populationK: 200, scatterKm: 4 },
  { name: 'Toufen–Zhunan', lat: 24.68, lon: 120.89, populationK: 200, scatterKm: 3 },
  { name: 'Taichung centre', lat: 24.15, lon: 120.67, populationK: 1800, scatterKm: 5 },
  { name: 'Fengyuan', lat: 24.25, lon: 120.72, populationK: 250, scatterKm: 3 },
  { name: 'Dali–Wufeng', lat: 24.09, lon: 120.69, populationK: 300, scatterKm: 3 },
  { name: 'Shalu–Qingshui', lat: 24.24, lon: 120.57, populationK: 300, scatterKm: 4 },
  { name: 'Changhua City', lat: 24.08, lon: 120.54, populationK: 500, scatterKm: 4 },
  { name: 'Yuanlin', lat: 23.96, lon: 120.57, populationK: 400, scatterKm: 5 },
  { name: 'Nantou–Caotun', lat: 23.93, lon: 120.68, populationK: 200, scatterKm: 4 },
  { name: 'Puli', lat: 23.97, lon: 120.96, populationK: 80, scatterKm: 2 },
  { name: 'Douliu', lat: 23.71, lon: 120.54, populationK: 200, scatterKm: 5 },
  { name: 'Huwei', lat: 23.71, lon: 120.43, populationK: 150, scatterKm: 5 },
  { name: 'Chiayi City', lat: 23.48, lon: 120.45, populationK: 267, scatterKm: 2.5 },
  { name: 'Minxiong–Taibao', lat: 23.53, lon: 120.38, populationK: 300, scatterKm: 6 },
  { name: 'Tainan centre', lat: 22.99, lon: 120.21, populationK: 800, scatterKm: 4 },
  { name: 'Yongkang', lat: 23.03, lon: 120.25, populationK: 230, scatterKm: 3 },
  { name: 'Xinying', lat: 23.31, lon: 120.32, populationK: 200, scatterKm: 5 },
  { name: 'Rende–Guiren', lat: 22.95, lon: 120.27, populationK: 200, scatterKm: 3 },
  { name: 'Kaohsiung centre', lat: 22.64, lon: 120.32, populationK: 1500, scatterKm: 4 },
  { name: 'Fengshan', lat: 22.62, lon: 120.36, populationK: 360, scatterKm: 3 },
  { name: 'Gangshan–Nanzi', lat: 22.76, lon: 120.3, populationK: 300, scatterKm: 4 },
  { name: 'Pingtung City', lat: 22.67, lon: 120.49, populationK: 200, scatterKm: 4 },
  { name: 'Chaozhou–Donggang', lat: 22.52, lon: 120.5, populationK: 200, scatterKm: 5 },
  { name: 'Yilan City', lat: 24.75, lon: 121.75, populationK: 250, scatterKm: 4 },
  { name: 'Luodong', lat: 24.68, lon: 121.77, populationK: 150, scatterKm: 3 },
  { name: 'Hualien City', lat: 23.98, lon: 121.6, populationK: 326, scatterKm: 3 },
  { name: 'Yuli', lat: 23.33, lon: 121.31, populationK: 50, scatterKm: 3 },
  { name: 'Taitung City', lat: 22.76, lon: 121.13, populationK: 216, scatterKm: 4 },
  { name: 'Magong (Penghu)', lat: 23.56, lon: 119.6, populationK: 105, scatterKm: 2 },
  { name: 'Kinmen', lat: 24.44, lon: 118.34, populationK: 140, scatterKm: 3 },
  { name: 'Nangan (Matsu)', lat: 26.15, lon: 119.93, populationK: 13, scatterKm: 1 },
];

/**
 * Large point sources that make industrial plumes: the coal power plants and petrochemical
 * complexes named in MOENV's emission inventory (TEDS) as the biggest PM2.5 precursor
 * emitters. `weight` is the share of industrial plumes each source gets.
 */
export const INDUSTRIAL_SOURCES: readonly (Omit<Place, 'populationK'> & { weight: number })[] = [
  { name: 'Taichung Power Plant', lat: 24.21, lon: 120.48, scatterKm: 3, weight: 3 },
  { name: 'Mailiao (Formosa Plastics)', lat: 23.79, lon: 120.19, scatterKm: 3, weight: 3 },
  { name: 'Kaohsiung Linhai industrial park', lat: 22.55, lon: 120.34, scatterKm: 3, weight: 2 },
  { name: 'Hsinta Power Plant', lat: 22.85, lon: 120.2, scatterKm: 2, weight: 1 },
  { name: 'Linkou Power Plant', lat: 25.12, lon: 121.3, scatterKm: 2, weight: 1 },
  { name: 'Guantian–Annan industry (Tainan)', lat: 23.1, lon: 120.2, scatterKm: 4, weight: 1 },
];

/** Cumulative weights for picking a place proportionally (binary search with a uniform). */
export function cumulativeWeights(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((w) => (total += w));
}
