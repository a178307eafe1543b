#!/usr/bin/env node
// Node 20 cannot strip TypeScript types itself: tsx compiles the sources on load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
