// ESLint for the TypeScript client and the JavaScript test drivers (`npm run lint`, part of `npm test`).
// typescript-eslint's type-aware recommended rules for the extension's TypeScript; ESLint's recommended rules for the
// .mjs scripts; formatting is Prettier's alone (eslint-config-prettier turns off the rules that would disagree).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', 'client/test/.tools/', 'client/test/artifacts/', '**/node_modules/'],
  },
  js.configs.recommended,
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // Unused names are the compiler's job (tsconfig: noUnusedLocals, noUnusedParameters); '_' marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A promise nobody awaits loses its error: every floating promise is awaited, returned or marked `void`.
      // node:test's test() returns a promise that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it'] }] },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  prettier,
);
