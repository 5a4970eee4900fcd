/**
 * Periodic work (reminders, quality checks, the transfer relay, health
 * probes), run one way everywhere:
 *
 * - every `intervalMs`, and once at start when `runAtStart` is set;
 * - never overlapping itself: a pass still running when the next is due is
 *   skipped, not queued, so a slow pass cannot pile work up behind it;
 * - optionally under a lease (`lease`), so that of several replicas sharing
 *   one database only the holder runs it: a lease row that lapses if its
 *   holder stops renewing it (a shard's jobs, subgraphs/kit/job-lease.ts), or
 *   an advisory lock released when its holder's connection closes (the
 *   gateway's relay, whose passes may outlast any lease: advisory-lease.ts);
 * - on an injected clock, so a test drives passes with `runOnce()` at the
 *   instants it chooses.
 *
 * A failed pass is logged and retried at the next interval. Existing job
 * libraries on PostgreSQL (pg-boss, graphile-worker) schedule with cron, a
 * minute at the finest; the relay runs every two seconds, and the work here
 * is a tick, not a queue (each job keeps its own state in its own tables).
 */
import type { Logger } from "./logger";

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** Who runs a job among replicas: `acquire` answers whether this holder may run it now (and keeps it for `ttlMs`). */
export interface JobLease {
  acquire(job: string, ttlMs: number, now: Date): Promise<boolean>;
}

export interface JobOptions {
  /** Names the job in logs and in the lease table. */
  name: string;
  /** 0 turns the job off. */
  intervalMs: number;
  /** One pass; `now` comes from the clock. */
  run(now: Date): Promise<void>;
  log: Logger;
  runAtStart?: boolean;
  lease?: JobLease;
  clock?: Clock;
}

/** Background work an instance stops when it stops: a job, or a watcher of a stream. */
export interface Stoppable {
  stop(): Promise<void>;
}

export interface RunningJob extends Stoppable {
  /** Runs one pass now unless one is running; resolves when it is done. */
  runOnce(): Promise<void>;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function startJob({ name, intervalMs, run, log, runAtStart = false, lease, clock = systemClock }: JobOptions): RunningJob {
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async () => {
    const now = clock();
    // A holder keeps its lease for three intervals, so one missed tick does not hand the job over.
    if (lease && !(await lease.acquire(name, 3 * Math.max(intervalMs, 1000), now))) return;
    await run(now);
  };
  const runOnce = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      log.debug({ job: name }, "previous pass still running; this one is skipped");
      return running;
    }
    running = pass()
      .catch((error: unknown) => log.error({ err: error, job: name }, "job pass failed; retrying at the next interval"))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = intervalMs > 0 ? setInterval(() => void runOnce(), intervalMs) : undefined;
  // A job never keeps a stopping process alive.
  timer?.unref();
  if (intervalMs > 0 && runAtStart) void runOnce();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
