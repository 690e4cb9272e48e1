import { defineConfig, type Plugin } from 'vite';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { browserAppConfig } from '../../scripts/vite-browser-app.ts';

const here = dirname(fileURLToPath(import.meta.url));
const agent = process.env.KIOSK_AGENT_URL ?? 'http://127.0.0.1:5846';

/**
 * `npm run dev`: the agent injects its per-boot token into the page it serves; with Vite serving
 * the page instead, read the token the running agent wrote to its data directory.
 */
function devToken(): Plugin {
  return {
    name: 'kiosk-dev-token',
    apply: 'serve',
    transformIndexHtml(html) {
      const file = process.env.KIOSK_TOKEN_FILE ?? resolve(here, '../../var/data/agent.token');
      let token = '';
      try {
        token = readFileSync(file, 'utf8').trim();
      } catch {
        console.warn(`[kiosk] ${file} not found: start the agent (npm start) before npm run dev`);
      }
      return html.replace('</head>', `<meta name="kiosk-token" content="${token}"></head>`);
    },
  };
}

export default defineConfig(
  browserAppConfig(here, {
    plugins: [devToken()],
    proxy: {
      // changeOrigin: the agent answers only requests whose Host names the agent itself.
      '/xfs4iot': {
        target: agent,
        ws: true,
        changeOrigin: true,
        // The agent accepts only its own Origin.
        configure: (proxy) => {
          proxy.on('proxyReqWs', (proxyReq) => proxyReq.setHeader('origin', agent));
        },
      },
      '/api': { target: agent, changeOrigin: true },
    },
  }),
);
