export * from './port.ts';
export * from './sqlite/index.ts';
export * from './influx/index.ts';
