/**
 * One jest run for unit, integration, end-to-end and browser tests (transpile-only: `npm run
 * typecheck` checks types).
 *
 * With KAFKA_SECOND_BROKERS set (scripts/test.sh does when KAFKA_SECOND_VERSION names a second
 * Kafka release), the end-to-end suites run a second time, on that broker, in the same run: one
 * pool of workers keeps both busy instead of two runs one after the other.
 */
const aliases = ['core', 'persistence', 'platform', 'simulator', 'testing'];
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: {
    ...Object.fromEntries(
      aliases.flatMap((name) => [
        [`^@hotline/${name}$`, `<rootDir>/libs/${name}/src`],
        [`^@hotline/${name}/(.*)$`, `<rootDir>/libs/${name}/src/$1`],
      ]),
    ),
    // kafkajs's batch decoder asks for its record decoder by this relative path only: under jest
    // it gets the worker's, as in production (record-decoder.ts installs it in Node's module
    // cache, which jest's registry does not read). A request by package path still gets kafkajs's.
    '^\\.\\./record/v0/decoder$': '<rootDir>/libs/platform/src/kafka/record-decoder.jest.ts',
    // Likewise kafkajs's produce request asks for its record encoder by this relative path only.
    '^\\.\\./\\.\\./\\.\\./recordBatch/record/v0$':
      '<rootDir>/libs/platform/src/kafka/record-encoder.jest.ts',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
};
const everything = { ...shared, testRegex: '.*\\.(spec|int-spec|e2e-spec|browser-spec)\\.ts$' };

module.exports = process.env.KAFKA_SECOND_BROKERS
  ? {
      // Read from the top level when there are projects.
      testTimeout: shared.testTimeout,
      projects: [
        { ...everything, displayName: `kafka ${process.env.KAFKA_VERSION_IN_USE ?? 'default'}` },
        {
          ...shared,
          displayName: `kafka ${process.env.KAFKA_SECOND_VERSION}`,
          testRegex: '/test/.*\\.e2e-spec\\.ts$',
          setupFiles: ['<rootDir>/libs/testing/src/second-kafka.setup.ts'],
        },
      ],
    }
  : everything;
