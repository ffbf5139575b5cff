// @ts-check
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// Dependencies between the project's folders point one way:
//   domain ← lib ← (ingest | processors | api | generator | stack) ← loadtest, test, main.ts
// domain/ holds the pure rules and imports no other folder; lib/ holds the adapters (kafka,
// postgres, clickhouse, http) and the core, and imports only domain/; roles never import each
// other; testkit/ is what tests and benchmarks share, so loadtest/ never reaches into test/.
/** Folders a folder may import besides itself (and npm packages). */
const MAY_IMPORT = {
  domain: [],
  lib: ['domain'],
  stack: ['lib'],
  ingest: ['domain', 'lib'],
  processors: ['domain', 'lib'],
  api: ['domain', 'lib'],
  generator: ['domain', 'lib'],
  cli: ['domain', 'lib', 'stack', 'ingest', 'generator'],
  testkit: ['domain', 'lib', 'stack', 'ingest', 'processors', 'generator'],
  loadtest: ['domain', 'lib', 'stack', 'ingest', 'processors', 'api', 'generator', 'testkit'],
};

/** A relative specifier that climbs out of the file's folder into one of `folders`. */
const into = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|\\.js$|$)`;

/** Every folder of the project; test/ and main.ts may import any of them. */
const FOLDERS = [...Object.keys(MAY_IMPORT), 'test', 'main'];

const boundaries = Object.entries(MAY_IMPORT).map(([folder, allowed]) => {
  const forbidden = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: into(forbidden),
              message: `${folder}/ may import only ${allowed.length ? allowed.map((f) => `${f}/`).join(', ') : 'npm packages'} (see eslint.config.js)`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', 'coverage/', 'loadtest/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs', 'bin/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      // ESM TypeScript imports name the emitted `.js`; the source is the `.ts` beside it.
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      // A cycle, type-only ones included: two modules that need each other are one module.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  ...boundaries,
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
