#!/usr/bin/env node
// The autolab CLI. The sources are TypeScript, run through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
