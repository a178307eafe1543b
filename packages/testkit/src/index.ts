export * from './shared-data.ts';
export * from './process.ts';
export * from './serve.ts';
export * from './publisher.ts';
export * from './servers/index.ts';
export * from './pty.ts';
export * from './sse.ts';
