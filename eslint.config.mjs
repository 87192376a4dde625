// Lint gate run by `npm test`: typescript-eslint's recommended rules, with type information so that a promise
// nobody awaits (a lost error) fails the build. Formatting is Prettier's job, not ESLint's.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.vscode-test/', 'bench/workloads/', 'bench/results/', 'examples/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() returns a promise the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // An array spread into a variadic call passes each element as an argument: past ~100,000 (a run's rows, steps,
    // curves) it throws "Maximum call stack size exceeded". src/core/util/arrays.ts has the loops to use instead.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(min|max|hypot|push|unshift|splice|fromCharCode|fromCodePoint)$/] > SpreadElement',
          message:
            'Spreading an array into call arguments throws past ~100,000 elements: use minOf, maxOf or appendAll (src/core/util/arrays.ts).',
        },
      ],
    },
  },
);
