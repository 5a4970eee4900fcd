/** Unit tests sit beside the code they test; tests that cross processes live in test/. */
const { readFileSync } = require("node:fs");

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, "utf8"));
delete swc.$schema;

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/console", "<rootDir>/contract", "<rootDir>/gateway", "<rootDir>/subgraphs", "<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { ...swc, swcrc: false }],
    // The query planner's runtime loads its native planner with import(), which Jest's CommonJS sandbox cannot run
    // (it would need --experimental-vm-modules): in tests, that one file's import() becomes a require(). The built
    // gateway runs on Node's own loader, which needs no such change.
    "@graphql-hive/router-runtime/dist/index\\.cjs$": ["@swc/jest", { jsc: { parser: { syntax: "ecmascript" }, target: "es2022" }, module: { type: "commonjs", ignoreDynamic: false }, swcrc: false }],
  },
  transformIgnorePatterns: ["/node_modules/(?!@graphql-hive/router-runtime/)"],
  globalSetup: "<rootDir>/test/global-setup.mjs",
  globalTeardown: "<rootDir>/test/global-teardown.mjs",
  setupFiles: ["<rootDir>/test/env.ts"],
  // Generous: a beforeAll that starts a topology takes minutes on a loaded 2-core machine; a hang still fails.
  testTimeout: 180000,
  maxWorkers: 2,
};
