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

/** Linux's default ephemeral range (net.ipv4.ip_local_port_range): an outgoing connection may hold any of these ports. */
export const EPHEMERAL_PORTS = { from: 32768, to: 60999 } as const;

/** A random port from 20000 on (above the most used registered ones) that leaves `span` ports below the ephemeral range. */
export function portBelowEphemeral(span = 1): number {
  return 20_000 + Math.floor(Math.random() * (EPHEMERAL_PORTS.from - span - 20_000 + 1));
}

/**
 * A loopback port nobody listens on now, for a server whose address others must know before it starts. It is below
 * the ephemeral range: a port listen(0) gives is in that range, where an outgoing connection (a database pool's, a
 * client's) can take it as its source port before the server listens there (EADDRINUSE, seen in CI).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = portBelowEphemeral();
    if (!(await portTaken("127.0.0.1", port))) return port;
  }
}

/** Whether something already listens on host:port (or the port cannot be bound for another reason). */
export function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const probe = createServer();
    probe.once("error", () => resolveProbe(true));
    probe.listen(port, host, () => probe.close(() => resolveProbe(false)));
  });
}
