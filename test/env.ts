// Every test process gets fixed secrets and a throw-away data folder, and logs errors only.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "reflect-metadata";

process.env.GOVGRAPH_JWT_SECRET ??= "test-user-token-secret";
process.env.GOVGRAPH_INTERNAL_SECRET ??= "test-internal-claims-secret";
process.env.GOVGRAPH_DATA_DIR ??= mkdtempSync(join(tmpdir(), "govgraph-test-data-"));
// Tests give every gateway its topology; code that looks the topology up itself finds no shards.
process.env.GOVGRAPH_TOPOLOGY ??= join(process.env.GOVGRAPH_DATA_DIR, "topology.json");
writeFileSync(process.env.GOVGRAPH_TOPOLOGY, JSON.stringify({ subgraphs: {}, shards: {} }));
process.env.LOG_LEVEL ??= "error";
// Tests check what the platform answers, not how fast: on a loaded 2-core CI machine one shard call can take
// seconds. The timeout itself is tested where it matters, with its own value (partial-failure, security).
process.env.GOVGRAPH_SHARD_TIMEOUT_MS ??= "20000";
// The quality check reads reply records through the gateway; tests' gateways listen on ports of their own, so nothing answers here.
process.env.GOVGRAPH_GATEWAY_URL ??= "http://127.0.0.1:9/graphql";
// Quality checks run when a test asks (checkDatasetQuality), not on a timer.
process.env.GOVGRAPH_QUALITY_INTERVAL_MS ??= "0";
process.env.GOVGRAPH_QUALITY_TIMEOUT_MS ??= "1000";
// Metrics reads the routing table often enough for a test to see a shard admitted.
process.env.GOVGRAPH_METRICS_FOLLOW_INTERVAL_MS ??= "500";
