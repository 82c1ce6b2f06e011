// Type-checked lint for the whole monorepo; libs/core is kept framework-free and deterministic.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const CORE_IMPORT_PATTERNS = [
  {
    group: ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'pino', 'prom-client'],
    message: 'libs/core is framework-free.',
  },
  {
    group: ['@hotline/*', '../../../*'],
    message: 'libs/core imports nothing of ours outside core.',
  },
];
const LUNAR_ONLY_IN_CORE =
  'Lunar dates come from libs/core/src/calendar/lunar-dates.ts (the statutory holidays), nowhere else.';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.kafka/**',
      '.data/**',
      '*.js',
      '*.mjs',
      // The tests' preload shim (libs/testing/exit-with-parent.cjs), plain Node.
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'no-restricted-properties': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only the config loader (libs/platform/src/config) reads process.env.',
        },
      ],
    },
  },
  {
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'lunar-javascript', message: LUNAR_ONLY_IN_CORE }],
        },
      ],
    },
  },
  {
    files: ['libs/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'lunar-javascript', message: LUNAR_ONLY_IN_CORE }],
          patterns: CORE_IMPORT_PATTERNS,
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Pass `now` in: libs/core never reads the clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Pass `now` in: libs/core never reads the clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'libs/core is deterministic: no randomness.',
        },
        {
          selector: "MemberExpression[object.name='process']",
          message: 'libs/core does not read the process.',
        },
      ],
    },
  },
  {
    files: [
      'libs/platform/src/config/**/*.ts',
      'libs/testing/**/*.ts',
      'scripts/**/*.ts',
      'bench/**/*.ts',
      'test/**/*.ts',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The one module that computes lunar dates (the statutory holidays' 春节, 端午, 中秋).
    files: ['libs/core/src/calendar/lunar-dates.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: CORE_IMPORT_PATTERNS }] },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      'test/**/*.ts',
      'libs/testing/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  prettier,
);
