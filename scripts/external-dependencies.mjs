// esbuild plugin for every Node bundle of the project (dist/*.mjs, test children): npm
// dependencies stay in node_modules, but the workspace's own packages (@kiosk/*) are bundled in,
// because they ship as TypeScript source and Node 20 cannot run .ts from node_modules.
export const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@kiosk/') ? undefined : { path: args.path, external: true },
    );
  },
};
