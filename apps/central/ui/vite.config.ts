import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { browserAppConfig } from '../../../scripts/vite-browser-app.ts';

const here = dirname(fileURLToPath(import.meta.url));
const central = process.env.CENTRAL_URL ?? 'http://127.0.0.1:5850';

// Build: npx vite build --config apps/central/ui/vite.config.ts → apps/central/ui/dist, served by central.
// Dev: npx vite --config apps/central/ui/vite.config.ts (API calls go to a running central).
export default defineConfig(browserAppConfig(here, { proxy: { '/api': central } }));
