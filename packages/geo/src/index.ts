export * from './distance.ts';
export * from './stations.ts';
export * from './package-file.ts';
export * from './counties.ts';
