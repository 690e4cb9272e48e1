import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const central = process.env.CENTRAL_URL ?? 'http://127.0.0.1:5850';

// Build: npx vite build --config apps/central/ui/vite.config.ts → apps/central/ui/dist, served by central.
// Dev: npx vite --config apps/central/ui/vite.config.ts (API calls go to a running central).
export default defineConfig({
  root: here,
  plugins: [preact()],
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': central },
  },
});
