/**
 * The flags node runs every GovGraph server process with, wherever GovGraph
 * starts one: npm start (start.ts), the tests' and benchmarks' processes
 * (server-process.ts; the peers' too, so they are measured alike), the
 * container image (its NODE_OPTIONS, Dockerfile) and npm run gateway and
 * serve (package.json); test/containers.test.ts keeps them the same.
 *
 * --max-semi-space-size=64: a request's garbage (parsed bodies, documents,
 * promises, the subgraphs' answers) dies young, and Node 20's young
 * generation (16 MB semi-spaces) fills every few hundred requests, each
 * scavenge copying what is still in flight: garbage collection was 9-10 %
 * of the gateway's samples under load. With 64 MB, in interleaved A/Bs of the same
 * process with and without (16 connections, 3 rounds), the gateway spent
 * 5-7 % less CPU per page, cross-subgraph query and comment, and a shard
 * 2-5 % less. The young generation grows to it only under load.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
