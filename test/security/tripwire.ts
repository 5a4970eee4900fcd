/**
 * Stand-in shards that count the GraphQL requests they receive for clients
 * and answer none, for attacks that must be refused before any shard is called.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { loadSecrets, projectRoot } from "../../contract/config";
import { startGateway, type GatewayOptions, type RunningGateway } from "../../gateway/server";

export interface Tripwire {
  url: string;
  /** GraphQL requests received so far (readiness probes and the transfer relay's polls are not counted). */
  calls(): number;
  close(): Promise<void>;
}

/** `ready`: whether its /readiness says so (the gateway's health checks then mark it UP, else DOWN). */
export async function startTripwire(ready = true): Promise<Tripwire> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === "/readiness") {
      response.writeHead(ready ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify({ status: ready ? "ready" : "database unreachable" }));
      return;
    }
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      // The gateway's transfer relay polls feedback shards on its own; only calls made for a client count.
      if (request.url?.startsWith("/graphql") && !body.includes("pendingDatasetRequestTransfers")) calls += 1;
      response.writeHead(503).end();
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    calls: () => calls,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** A gateway whose every shard is a tripwire. */
export async function startTrippedGateway(
  agencyCodes: string[],
  options: Partial<GatewayOptions> = {},
  ready = true,
): Promise<{ gateway: RunningGateway; tripwires: Tripwire[]; calls(): number; stop(): Promise<void> }> {
  const tripwires = await Promise.all(agencyCodes.flatMap(() => [startTripwire(ready), startTripwire(ready)]));
  const catalogue = Object.fromEntries(agencyCodes.map((code, i) => [code, tripwires[2 * i].url]));
  const feedback = Object.fromEntries(agencyCodes.map((code, i) => [code, tripwires[2 * i + 1].url]));
  const gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    topology: { subgraphs: {}, shards: { catalogue, feedback } },
    port: 0,
    ...options,
  });
  return {
    gateway,
    tripwires,
    calls: () => tripwires.reduce((sum, tripwire) => sum + tripwire.calls(), 0),
    async stop() {
      await gateway.stop();
      await Promise.all(tripwires.map((tripwire) => tripwire.close()));
    },
  };
}
