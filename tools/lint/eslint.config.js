// ESLint for the whole repo (run from the root by `npm run lint`). Type-aware rules from
// typescript-eslint catch what tsc does not: promises nobody awaits and `any` leaking through.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'var/**',
      'test-artifacts/**',
      'tools/lint/**',
      '**/vite.config.ts',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['tsconfig.json', 'apps/kiosk-ui/tsconfig.json', 'apps/central/ui/tsconfig.json'],
        tsconfigRootDir: root,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The house rule: no `any` without a comment saying why (an eslint-disable line with a reason).
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // A variable assigned once after closures that read it were created must stay `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // Unused locals are TypeScript's job (noUnusedLocals), which understands values used only as types.
      '@typescript-eslint/no-unused-vars': 'off',
      // Types already say this; TypeScript checks undefined names.
      'no-undef': 'off',
      // Async functions that satisfy a Promise-returning interface need no await.
      '@typescript-eslint/require-await': 'off',
      // Preact components pass `t`/handlers around detached by design; no class methods rely on `this` there.
      '@typescript-eslint/unbound-method': 'off',
      // i18n keys are typed as `Key | string` on purpose: known keys autocomplete, upstream codes pass through.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
    },
  },
  {
    // Tests read JSON from real HTTP answers and poke at internals; `any` from res.json() is
    // checked by the assertions themselves. Explicit `any` still needs a reason.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
);
