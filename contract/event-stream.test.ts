import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocketServer } from "ws";
import { openEventStream } from "./event-stream";

const TIMEOUT_MS = 300;

/** A shard that goes as far as `stage` in opening a stream and no further. */
async function shardStuckAt(stage: "handshake" | "acknowledgement" | "position"): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer();
  server.on("connection", (socket) => sockets.add(socket));
  const upgrades = new WebSocketServer({ noServer: true });
  server.on("upgrade", (request, socket, head) => {
    if (stage === "handshake") return;
    upgrades.handleUpgrade(request, socket, head, (ws) =>
      ws.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === "connection_init" && stage === "position") ws.send(JSON.stringify({ type: "connection_ack" }));
      }),
    );
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      upgrades.clients.forEach((ws) => ws.terminate());
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolveClose) => server.close(resolveClose));
    },
  };
}

test.each(["handshake", "acknowledgement", "position"] as const)("a shard that never gets past the %s fails the stream once the timeout has passed", async (stage) => {
  const shard = await shardStuckAt(stage);
  try {
    const started = Date.now();
    const stream = openEventStream({ url: shard.url, query: "subscription { feedbackEvents { cursor } }", variables: {}, claims: async () => "claims", openTimeoutMs: TIMEOUT_MS });
    await expect(stream.next()).rejects.toBeTruthy();
    // The client's own bounds (handshake, acknowledgement) or the first message's: the stream fails within two of them at most.
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(Date.now() - started).toBeLessThan(4 * TIMEOUT_MS);
  } finally {
    await shard.close();
  }
});
