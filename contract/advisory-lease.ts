/**
 * Job leases as PostgreSQL advisory locks (contract/jobs.ts): of several
 * replicas sharing a database, the one whose session holds a job's lock runs
 * it. The lock is held by one connection per process, for as long as that
 * connection lives, however long a pass takes; PostgreSQL releases it the
 * moment the connection closes: at once when the holder's process dies, and
 * within about 25 s when its host or network does (the server's keepalive
 * for this session, set below). A holder whose connection stops answering
 * gives the job up before that, so two holders do not overlap.
 */
import { Client } from "pg";
import type { JobLease } from "./jobs";
import type { Logger } from "./logger";
import { withinTime } from "./within-time";

/** How long a lock check may take before the holder assumes its session is gone. */
const CHECK_TIMEOUT_MS = 5000;
/** The server notices a vanished client after idle 10 s + 3 unanswered probes 5 s apart. */
const SERVER_KEEPALIVE = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3";

export const APPLICATION_NAME = "govgraph job lease";

export interface AdvisoryLease extends JobLease {
  /** Releases every lock this process holds (its connection ends). */
  close(): Promise<void>;
}

export function advisoryLease(url: string, log: Logger): AdvisoryLease {
  let session: Client | undefined;
  let closed = false;
  const held = new Set<string>();

  const drop = (lost: Client) => {
    if (session !== lost) return;
    session = undefined;
    for (const job of held) log.warn({ job }, "lost the job's lock with its database connection; another replica may take the job over");
    held.clear();
    void lost.end().catch(() => undefined);
  };

  const connect = async (): Promise<Client> => {
    if (session) return session;
    // Named, so that pg_stat_activity beside pg_locks tells an operator which host holds a job.
    const next = new Client({ connectionString: url, options: SERVER_KEEPALIVE, application_name: APPLICATION_NAME });
    next.on("error", () => drop(next));
    next.on("end", () => drop(next));
    try {
      await next.connect();
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    session = next;
    return next;
  };

  /** A session that does not answer in time, or fails, is dropped: its locks may be gone. */
  const withinTimeout = async <T>(client: Client, work: Promise<T>): Promise<T> => {
    const answer = await withinTime(CHECK_TIMEOUT_MS, undefined, () => work);
    if ("value" in answer) return answer.value;
    drop(client);
    throw "failure" in answer ? answer.failure : new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`);
  };

  return {
    async acquire(job) {
      if (closed) return false;
      try {
        const client = await connect();
        // Held: the session must still answer, or the lock may already be another replica's.
        if (held.has(job)) {
          await withinTimeout(client, client.query("select 1"));
          return session === client && held.has(job);
        }
        const { rows } = await withinTimeout(
          client,
          client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtextextended($1, 0)) as locked", [`govgraph.job.${job}`]),
        );
        if (!rows[0].locked) return false;
        held.add(job);
        log.info({ job }, "this replica now runs the job (it holds the job's lock)");
        return true;
      } catch (error) {
        log.warn({ err: error, job }, "could not check the job's lock; not running it this time");
        return false;
      }
    },
    async close() {
      closed = true;
      held.clear();
      const client = session;
      session = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
