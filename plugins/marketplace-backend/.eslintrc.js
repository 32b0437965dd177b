/*
 * The backend's folders are layers (docs/architecture.md, "Backend folders"):
 * a folder may import from the folders below it, never from one above.
 *
 *   plugin.ts, createMarketplace.ts, mountRoutes.ts, config.ts, standalone.ts
 *   service/        REST routers and the services they call
 *   monitoring/     prober, rollups, breach detection
 *   gateway/        the embedded gateway's wiring, upstream secrets, team membership
 *   routing/ analytics/
 *   catalog/        the catalog view (ServiceDirectory) and its snapshot
 *   stores/         every database table, behind store classes
 *   lib/ permissions/ egress/   helpers that import nothing of the plugin
 */
const TOP = [
  './src/plugin.ts',
  './src/createMarketplace.ts',
  './src/mountRoutes.ts',
  './src/config.ts',
  './src/standalone.ts',
  './src/index.ts',
  './src/testUtils.ts',
];
const ORDER = [
  ['lib', 'permissions', 'egress'],
  ['stores'],
  ['catalog'],
  ['routing', 'analytics'],
  ['gateway'],
  ['monitoring'],
  ['service'],
];

const zones = ORDER.flatMap((layer, i) => {
  const above = ORDER.slice(i + 1)
    .flat()
    .map(folder => `./src/${folder}`);
  // Folders of the same layer stay apart too (e.g. routing and analytics).
  return layer.map(folder => ({
    target: `./src/${folder}`,
    from: [
      ...above,
      ...layer.filter(other => other !== folder).map(f => `./src/${f}`),
      ...TOP,
    ],
    message: `src/${folder} is below the folder it imports from: move the shared code down (see docs/architecture.md, "Backend folders")`,
  }));
});

module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      files: ['src/**/*.ts'],
      excludedFiles: ['**/*.test.ts', 'src/__testUtils__/**'],
      // The rule needs the imports resolved: TypeScript sources, by path.
      settings: {
        'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      },
      rules: {
        'import/no-restricted-paths': ['error', { basePath: __dirname, zones }],
      },
    },
  ],
});
