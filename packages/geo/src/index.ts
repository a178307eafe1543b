export * from './distance.ts';
export * from './stations.ts';
export * from './package-file.ts';
