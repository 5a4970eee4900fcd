/** Unit tests sit beside the code they test; tests that cross processes live in test/. */
const { readFileSync } = require("node:fs");

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, "utf8"));
delete swc.$schema;

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/console", "<rootDir>/contract", "<rootDir>/gateway", "<rootDir>/subgraphs", "<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { ...swc, swcrc: false }] },
  globalSetup: "<rootDir>/test/global-setup.mjs",
  globalTeardown: "<rootDir>/test/global-teardown.mjs",
  setupFiles: ["<rootDir>/test/env.ts"],
  // Generous: a beforeAll that starts a topology takes minutes on a loaded 2-core machine; a hang still fails.
  testTimeout: 180000,
  maxWorkers: 2,
};
