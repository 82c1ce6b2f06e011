/** One jest run for unit, integration, end-to-end and browser tests (transpile-only: `npm run typecheck` checks types). */
const aliases = ['core', 'persistence', 'platform', 'simulator', 'testing'];
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec|browser-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: Object.fromEntries(
    aliases.flatMap((name) => [
      [`^@hotline/${name}$`, `<rootDir>/libs/${name}/src`],
      [`^@hotline/${name}/(.*)$`, `<rootDir>/libs/${name}/src/$1`],
    ]),
  ),
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
};
