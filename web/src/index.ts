export * from './api.ts';
export * from './metrics.ts';
export * from './csv.ts';
