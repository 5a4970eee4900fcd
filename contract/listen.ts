import type { Server } from "node:http";
import { createServer, type AddressInfo } from "node:net";

/**
 * How long a server keeps an idle connection open for its client's next request: longer than any of its clients
 * keeps one (Node's agent, the gateway's to its subgraphs: 5 s; a load balancer's: 60 s). A server that closes first
 * closes some connection just as its client sends a request on it, which then fails without reaching the server; the
 * shard router asks a read again, but a mutation, or a call to metrics or advisory, fails the client's operation.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Starts listening (port 0: any free port) and says where: every GovGraph server serves GraphQL at /graphql. */
export async function listen(server: Server, port: number, host: string): Promise<{ port: number; url: string }> {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolveListen);
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host}:${bound}/graphql` };
}

/** A loopback port nobody listens on now, for a server whose address others must know before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}
