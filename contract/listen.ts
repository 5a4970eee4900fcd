import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts listening (port 0: any free port) and says where: every GovGraph server serves GraphQL at /graphql. */
export async function listen(server: Server, port: number, host: string): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolveListen);
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host}:${bound}/graphql` };
}
