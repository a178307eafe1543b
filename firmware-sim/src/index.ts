export * from './clock.ts';
export * from './pms/models.ts';
export * from './pms/commands.ts';
export * from './pms/errors.ts';
export * from './pms/frame.ts';
export * from './pms/driver.ts';
export { toHex } from './pms/bytes.ts';
