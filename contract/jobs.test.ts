import pino from "pino";
import { startJob, type JobLease } from "./jobs";

const log = pino({ level: "silent" });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("the job runner", () => {
  test("a pass runs on the injected clock's time", async () => {
    const seen: Date[] = [];
    const job = startJob({ name: "t", intervalMs: 0, log, clock: () => new Date("2026-12-01T00:00:00Z"), run: async (now) => void seen.push(now) });
    await job.runOnce();
    expect(seen).toEqual([new Date("2026-12-01T00:00:00Z")]);
    await job.stop();
  });

  test("a pass still running when the next is due is not doubled", async () => {
    const gate = deferred();
    let passes = 0;
    const job = startJob({ name: "t", intervalMs: 0, log, run: async () => {
      passes += 1;
      await gate.promise;
    } });
    const first = job.runOnce();
    const second = job.runOnce();
    gate.resolve();
    await Promise.all([first, second]);
    expect(passes).toBe(1);
    await job.runOnce();
    expect(passes).toBe(2);
    await job.stop();
  });

  test("a failed pass is logged, and the next pass runs", async () => {
    const errors: unknown[] = [];
    const logger = { ...log, error: (entry: unknown) => void errors.push(entry), debug: () => undefined } as unknown as typeof log;
    let calls = 0;
    const job = startJob({ name: "flaky", intervalMs: 0, log: logger, run: async () => {
      calls += 1;
      if (calls === 1) throw new Error("database unreachable");
    } });
    await job.runOnce();
    await job.runOnce();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    await job.stop();
  });

  test("under a lease, only the holder runs, for three intervals at a time", async () => {
    const asked: { job: string; ttlMs: number }[] = [];
    let held = false;
    const lease: JobLease = { acquire: async (job, ttlMs) => (asked.push({ job, ttlMs }), held) };
    let passes = 0;
    const job = startJob({ name: "relay", intervalMs: 2000, log, lease, run: async () => void (passes += 1) });
    await job.runOnce();
    held = true;
    await job.runOnce();
    expect(passes).toBe(1);
    expect(asked).toEqual([{ job: "relay", ttlMs: 6000 }, { job: "relay", ttlMs: 6000 }]);
    await job.stop();
  });

  test("the timer runs passes every interval until stopped, and a stopped job runs no more", async () => {
    jest.useFakeTimers();
    try {
      let passes = 0;
      const job = startJob({ name: "t", intervalMs: 1000, log, run: async () => void (passes += 1) });
      await jest.advanceTimersByTimeAsync(3500);
      expect(passes).toBe(3);
      await job.stop();
      await jest.advanceTimersByTimeAsync(3000);
      await job.runOnce();
      expect(passes).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
