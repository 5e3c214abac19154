// The linter (`npm run lint`, part of `npm test`): typescript-eslint's recommended rules plus the
// project's layer rules. Import cycles and the import graph are checked by
// scripts/lint/checkImports.mjs (type-only imports count there, as they do not for eslint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const PURE = [
  'src/engine/**',
  'src/data/**',
  'src/projection/**',
  'src/shared/**',
  'src/analysis/**',
  'src/cli/**',
  'src/cli.ts',
  'src/worker/**',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-vsix/**',
      'node_modules/**',
      '.vscode-test/**',
      'test-artifacts/**',
      'test/fixtures/**',
      'samples/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    // tsc checks names (no DOM in the host's tsconfig, the DOM in webview/'s); no-undef would not know the types' globals.
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-constant-condition': ['error', { checkLoops: false }],
      // Prettier (.prettierrc.json) wraps code at 120; this holds comments and what it cannot wrap to the same width.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.js', '**/*.cjs'], languageOptions: { globals: { ...globals.node } } },
  { files: ['**/*.cjs', 'bin/**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Benches drive a page from Node (page.evaluate callbacks use the page's window; this tsconfig has no DOM types).
  { files: ['bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // The webview harness: Node scripts whose callbacks run in the page, and the page's fake VS Code API.
  { files: ['test/webview/harness/**'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  {
    // Pure logic: runs in workers, the CLI and plain unit tests, so never the `vscode` module.
    files: PURE,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message:
                'Pure layers (engine, data, projection, shared, analysis, cli, worker) must not import vscode: wire it in src/host, src/views or src/commands.',
            },
          ],
        },
      ],
    },
  },
  {
    // The webviews run in a browser: no vscode module, no Node built-ins.
    files: ['webview/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Webviews talk to the host through messages (shared/protocol.ts).' }],
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'],
              message: 'Webviews run in a browser: no Node built-ins.',
            },
          ],
        },
      ],
    },
  },
);
