import { resolve } from 'node:path';
import preact from '@preact/preset-vite';
import type { PluginOption, ProxyOptions, UserConfig } from 'vite';

/**
 * How Vite builds and serves both browser apps, the kiosk touch UI and central's dashboard (one
 * place, so they cannot drift): Preact, the page at `root`, the bundle in `root/dist` for the Node
 * process that serves it, the browsers' language level, and the dev server on loopback with the
 * app's own routes proxied to its running back end.
 */
export function browserAppConfig(
  root: string,
  app: { plugins?: PluginOption[]; proxy: Record<string, string | ProxyOptions> },
): UserConfig {
  return {
    root,
    plugins: [preact(), ...(app.plugins ?? [])],
    build: {
      outDir: resolve(root, 'dist'),
      emptyOutDir: true,
      target: 'es2022',
      reportCompressedSize: false,
    },
    server: {
      host: '127.0.0.1',
      proxy: app.proxy,
    },
  };
}
