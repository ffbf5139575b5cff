#!/usr/bin/env node
// `npx stockflow <command>`: the CLI in this very process, its TypeScript
// loaded through tsx, so signals reach it directly (no wrapper process).
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
