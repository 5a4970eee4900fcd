// Every test process gets fixed secrets and a throw-away data folder, and logs errors only.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "reflect-metadata";

process.env.GOVGRAPH_JWT_SECRET ??= "test-user-token-secret";
process.env.GOVGRAPH_INTERNAL_SECRET ??= "test-internal-claims-secret";
process.env.GOVGRAPH_DATA_DIR ??= mkdtempSync(join(tmpdir(), "govgraph-test-data-"));
process.env.LOG_LEVEL ??= "error";
