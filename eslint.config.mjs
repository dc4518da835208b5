// Type-checked ESLint (STYLE.md); Prettier owns formatting, so its conflicting rules are off.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Test code of every tier and the test libs. */
const TEST_FILES = [
  '**/*.spec.ts',
  '**/*.app-spec.ts',
  '**/*.int-spec.ts',
  '**/*.e2e-spec.ts',
  'test/**',
  'libs/testing/**',
];

const noEnv = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through @authtrail/config only.',
};
// authtrail's own event types are named once, in their context's file in libs/catalog
// (libs/catalog/README.md); everything else uses those constants, so a type's name and
// schema cannot drift apart.
const noSystemTypeLiterals = {
  selector: 'Literal[value=/^(privacy|tenant|access|ledger)\\.[A-Z][A-Za-z]*$/]',
  message:
    "Use the owning context's constant (PRIVACY_EVENT, TENANT_EVENT, ACCESS_EVENT, LEDGER_EVENT from @authtrail/catalog), not a literal.",
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      '.cache/**',
      'coverage/**',
      'test-output/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-restricted-syntax': ['error', noEnv, noSystemTypeLiterals],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@authtrail/event-store',
              importNames: ['newSystemEvent'],
              message:
                "Record authtrail's own events with systemEvent(<catalog type>, …): it is typed and validated by the schema.",
            },
          ],
        },
      ],
    },
  },
  {
    // Config is the one place that reads the environment; tests and scripts may set it.
    files: ['libs/config/**', ...TEST_FILES, 'scripts/**'],
    rules: { 'no-restricted-syntax': ['error', noSystemTypeLiterals] },
  },
  {
    // The one place each system type is named, and the catalog's own tests, which pin the
    // published names on purpose (a rename must fail a test).
    files: ['libs/catalog/src/domain/*.event-types.ts'],
    rules: { 'no-restricted-syntax': ['error', noEnv] },
  },
  {
    files: ['libs/catalog/**/*.spec.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: TEST_FILES,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  prettier,
);
