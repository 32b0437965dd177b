/*
 * The layers of src/components (tests aside):
 * - shared/ holds the pieces several folders use; it imports no other folder.
 * - every other folder is used by the others only through its index.ts, never
 *   by reaching into one of its files;
 * - the pages the plugin routes to are imported by plugin.tsx only.
 */
const BASE_PATTERNS = [
  // The patterns of @backstage/cli's eslint-factory, which an override replaces
  // (ESLint takes strings or objects there, not both).
  {
    group: ['*.stories*', '*.test*', '**/__testUtils__/**', '**/__mocks__/**'],
  },
];

const COMPONENT_PATTERNS = [
  {
    group: ['../[A-Za-z]*/**', '!../shared/**'],
    message:
      "Import another component folder through its index ('../Folder'); what several folders use belongs in components/shared.",
  },
  {
    group: [
      '../Admin*',
      '../FinderPage',
      '../MarketplacePage',
      '../ProviderDashboard',
      '../ProviderProfile',
      '../SubscriptionsPage',
    ],
    message:
      'A routed page is imported by plugin.tsx only; move what others need into components/shared.',
  },
];

const SHARED_PATTERNS = [
  {
    group: ['../[A-Za-z]*', '!../shared/**'],
    message:
      'components/shared imports no other component folder (it is the bottom layer).',
  },
];

const restrict = patterns => [
  'error',
  { patterns: [...BASE_PATTERNS, ...patterns] },
];

module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      files: ['src/components/**/*.{ts,tsx}'],
      excludedFiles: ['**/*.test.*'],
      rules: { 'no-restricted-imports': restrict(COMPONENT_PATTERNS) },
    },
    {
      files: ['src/components/shared/**/*.{ts,tsx}'],
      excludedFiles: ['**/*.test.*'],
      rules: {
        'no-restricted-imports': restrict([
          ...COMPONENT_PATTERNS,
          ...SHARED_PATTERNS,
        ]),
      },
    },
  ],
});
