/** One jest run for unit, integration and end-to-end tests; the infrastructure is started by scripts/test.sh. */
const aliases = ['core', 'persistence', 'platform', 'testing'];
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  moduleNameMapper: Object.fromEntries(
    aliases.flatMap((name) => [
      [`^@hotline/${name}$`, `<rootDir>/libs/${name}/src`],
      [`^@hotline/${name}/(.*)$`, `<rootDir>/libs/${name}/src/$1`],
    ]),
  ),
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
};
