/**
 * An instance started only to prepare its database (the benches' prepareDatabase) runs no background work:
 * metrics, whose follower asks the gateway for the routing table as soon as it starts, asks nothing.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { subgraphs } from "../subgraphs";
import { dropDatabases } from "../subgraphs/kit/database";
import { startInstance } from "../subgraphs/kit/server";
import { eventually } from "./eventually";

const serverUrl = process.env.DATABASE_URL!;
const prefixes: string[] = [];
const servers: Server[] = [];

/** A stand-in gateway that counts what it is asked and answers nothing useful. */
async function countingGateway(): Promise<{ url: string; asked: () => number }> {
  let asked = 0;
  const server = createServer((_req, res) => {
    asked += 1;
    res.writeHead(503).end();
  });
  servers.push(server);
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, asked: () => asked };
}

async function metricsInstance(gatewayUrl: string, background?: boolean) {
  const prefix = `t${randomBytes(4).toString("hex")}`;
  prefixes.push(prefix);
  return startInstance(subgraphs.metrics, { serverUrl, databasePrefix: prefix, seed: false, port: 0, gatewayUrl, background });
}

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolveClose) => server.close(resolveClose))));
  for (const prefix of prefixes) await dropDatabases(serverUrl, prefix);
});

test("metrics started without background work never asks the gateway; started with it, it asks at once", async () => {
  const [quiet, following] = [await countingGateway(), await countingGateway()];
  const preparing = await metricsInstance(quiet.url, false);
  const serving = await metricsInstance(following.url);
  try {
    expect(await eventually(async () => following.asked(), (asked) => asked > 0, 10_000)).toBeGreaterThan(0);
    expect(quiet.asked()).toBe(0);
  } finally {
    await Promise.all([preparing.stop(), serving.stop()]);
  }
});
