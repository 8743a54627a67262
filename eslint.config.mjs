// `npm run lint` (with pyright on src/worker): typescript-eslint, type-aware, over src/, test/ and bench/.
// Types come from the nearest tsconfig.json (typescript-eslint's project service: Node code, the webview's browser
// code); the webview's Chromium test, which no tsconfig.json includes, from test/unit/tsconfig.webview.json.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tools/**', 'samples/**', 'test-artifacts/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['test/unit/webview.test.ts'], defaultProject: './test/unit/tsconfig.webview.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Noise here: async methods that implement a promise-returning interface without awaiting; `${uri}` and
      // `${unknown}` in messages (no-base-to-string still catches an object's "[object Object]"); the class + interface
      // merge that types an EventEmitter's events (Pool, WorkerProcess).
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
    },
  },
  {
    // Tests read JSON (CLI output, protocol tables) as `any`.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
