#!/usr/bin/env node
// `npx kiosk-central …`: central's operator CLI (kiosk enrollment), TypeScript through tsx like bin/kiosk.js.
import { register } from 'tsx/esm/api';

register();
await import('../apps/central/src/cli.ts');
