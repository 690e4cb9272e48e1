// The map's rules (docs/ARCHITECTURE.md): which part may import which.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles hide the order of start-up and make features reach each other; pass ports in compose.ts instead.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'An app never imports another app; shared code is a package (packages/*).',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-package-to-app',
      severity: 'error',
      comment: 'Packages are below apps: a package never imports an app.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'packages-by-name',
      severity: 'error',
      comment: 'Apps use a package through its public entry (@kiosk/NAME), never a relative path into it.',
      from: { path: '^(apps|bin|scripts)/' },
      to: { path: '^packages/', dependencyTypes: ['local'], dependencyTypesNot: ['aliased', 'undetermined'] },
    },
    {
      name: 'package-internals-by-name',
      severity: 'error',
      comment: 'One package uses another through its public entry, not a relative path into it.',
      from: { path: '^packages/([^/]+)/' },
      to: {
        path: '^packages/',
        pathNot: '^packages/$1/',
        dependencyTypes: ['local'],
        dependencyTypesNot: ['aliased', 'undetermined'],
      },
    },
    {
      name: 'protocol-is-pure',
      severity: 'error',
      comment: 'Protocol packages are bytes in, values out: no I/O, no timers owned, no device or network modules.',
      from: { path: '^packages/protocol-' },
      to: {
        path: '^(node:)?(fs|fs/promises|net|dgram|http|https|http2|tls|child_process|worker_threads|cluster|os|readline)$|^(serialport|@serialport/.*|node-hid|better-sqlite3|express|ws|pino|fontkit)$|^packages/(transport|platform|kiosk-config)/',
      },
    },
    {
      name: 'no-ui-to-node',
      severity: 'error',
      comment: 'Browser apps (kiosk UI, central dashboard) import no Node built-ins.',
      from: { path: '^apps/(kiosk-ui|central/ui)/', pathNot: 'vite\\.config\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'not-to-tests',
      severity: 'error',
      comment: 'Production code never imports test helpers.',
      from: { path: '^(apps|packages)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
