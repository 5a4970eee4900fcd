/**
 * A LISTEN connection that outlives its connection. When PostgreSQL drops it
 * (a restart, a network cut) or it stops answering, it reconnects every
 * second until it can, and then says so (`onConnected`), so that its reader
 * catches up from the table on whatever was notified meanwhile: a
 * notification is a wake-up call, never the data itself.
 */
import { Client } from "pg";
import type { Logger } from "./logger";

export interface ListenOptions {
  /** The database to listen on. */
  url: string;
  channel: string;
  onNotification(): void;
  /** After every connection, the first included, once LISTEN is in place: the moment to read what may have been missed. */
  onConnected?(): void;
  log: Logger;
  /** Between reconnection attempts (default 1 s). */
  retryMs?: number;
  /** How often an idle connection is asked whether it still answers (default 5 s): a silent network cut leaves no error to notice. */
  heartbeatMs?: number;
}

export interface Listener {
  close(): Promise<void>;
}

/** Resolves once listening; rejects when the first connection fails, so a start that cannot listen fails loudly. */
export async function listenTo({ url, channel, onNotification, onConnected, log, retryMs = 1000, heartbeatMs = 5000 }: ListenOptions): Promise<Listener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`"${channel}" is not a channel name`);
  let closed = false;
  let client: Client | undefined;

  const connect = async (): Promise<void> => {
    const next = new Client({ connectionString: url });
    next.on("notification", (message) => {
      if (message.channel === channel) onNotification();
    });
    next.on("error", (error) => {
      if (client === next) log.warn({ err: error, channel }, "LISTEN connection lost; reconnecting");
      void reconnect(next);
    });
    next.on("end", () => void reconnect(next));
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    onConnected?.();
  };

  const reconnect = async (lost: Client): Promise<void> => {
    if (closed || client !== lost) return;
    client = undefined;
    // Not awaited: ending a connection that stopped answering may never finish.
    void lost.end().catch(() => undefined);
    while (!closed && !client) {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, retryMs).unref());
      if (closed) return;
      await connect().catch((error: unknown) => log.debug({ err: error, channel }, "LISTEN reconnection failed; retrying"));
    }
    if (client) log.info({ channel }, "LISTEN connection back");
  };

  const heartbeat = setInterval(() => {
    const current = client;
    if (!current) return;
    const silent = setTimeout(() => void reconnect(current), Math.max(heartbeatMs - 100, 100));
    current.query("select 1").then(
      () => clearTimeout(silent),
      () => {
        clearTimeout(silent);
        void reconnect(current);
      },
    );
  }, heartbeatMs);
  heartbeat.unref();

  await connect();
  return {
    async close() {
      closed = true;
      clearInterval(heartbeat);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
