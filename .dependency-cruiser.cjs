/**
 * The module boundaries of ARCHITECTURE.md, checked by `npm run lint:deps` (and .ci/run).
 * A module is a folder under src/. Its public surface: index.ts, <name>.module.ts, its services
 * (*.service.ts), its errors (*.errors.ts) and entities/ (for ORM relations and queries).
 */
const CORE = '^src/(common|database|config|mail|audit)/';
// The kernel every module may use in full: nothing in it is internal.
const KERNEL = '^src/(common|database|config)/';
// The composition root wires the modules, so it may import whatever it wires.
const COMPOSITION = ['^src/(app\\.module|app\\.entities|app\\.setup|main|server|cluster)\\.ts$', '^src/cli/'];
const PUBLIC_SURFACE = [
  '^src/[^/]+/index\\.ts$',
  '^src/[^/]+/[^/]+\\.module\\.ts$',
  '^src/[^/]+/[^/]+\\.service\\.ts$',
  '^src/[^/]+/[^/]+\\.errors\\.ts$',
  '^src/[^/]+/entities/',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-feature',
      comment: 'The core (common, database, config, mail, audit) knows no feature: a feature plugs in through an extension point.',
      severity: 'error',
      from: { path: CORE },
      to: { path: '^src/', pathNot: CORE },
    },
    {
      name: 'accounts-imports-dependent',
      comment: 'Revocation, exports and users build on accounts, never the other way round.',
      severity: 'error',
      from: { path: '^src/accounts/' },
      to: { path: '^src/(revocation|exports|users)/' },
    },
    {
      name: 'module-internals',
      comment: "Import another module's public surface (index.ts, *.module.ts, *.service.ts, *.errors.ts, entities/), not its internals.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: COMPOSITION },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', KERNEL, ...PUBLIC_SURFACE] },
    },
    {
      name: 'no-file-cycle',
      comment: 'Files that import each other: one of them belongs elsewhere, or the dependency must be inverted.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycle',
      comment: 'Modules (folders) that depend on each other, even when no two files do.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^src/',
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: they couple modules as much as value imports.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

