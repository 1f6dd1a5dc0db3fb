// Lint: type-aware rules that catch what breaks device code at 3 a.m.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One `no-restricted-imports` block per folder: [files, forbidden import path (regex), why]. */
function directions(rules) {
  return rules.map(([files, regex, message]) => ({
    files: [files],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
  }));
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'bin/', 'eslint.config.js', 'scripts/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  // The house's directions (docs/layout.md): each folder may lean only on what is below it.
  ...directions([
    ['src/core/**/*.ts', '^\\.\\./', 'core is the floor: it imports nothing else of the kiosk'],
    ['src/domain/**/*.ts', '^\\.\\./(?!core/)', 'domain is pure rules: it imports only src/core'],
    ['drivers/**/*.ts', '(^|/)src/(?!core/)', 'drivers import nothing from src/ but src/core (the app hands them plain options)'],
    ['src/flows/**/*.ts', '/drivers/(?![a-z0-9-]+/contract\\.js$)', 'flows see drivers only through their contracts (drivers/<class>/contract.ts)'],
    ['src/link/**/*.ts', '(^|/)(flows|drivers)/', 'link imports neither flows nor drivers'],
    ['src/ui/**/*.ts', '(^|/)drivers/', 'ui imports no driver: app.ts hands it what it needs'],
  ]),
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
