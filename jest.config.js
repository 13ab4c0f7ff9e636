/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Temporal test servers take seconds to start and workflow bundles are built per worker.
  testTimeout: 120_000,
  // Two cores: each test file starts its own Java test server; more than two in parallel starves them.
  maxWorkers: 2,
};
