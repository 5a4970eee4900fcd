/**
 * Waiting for what happens in the background (a projection catching up, a
 * shard's health, an event reaching a subscriber): polling, with deadlines
 * generous for a loaded 2-core machine. A read that fails before the
 * deadline (a timeout under load) counts as "not yet".
 */

const sleep = (ms: number) => new Promise((resolveDelay) => setTimeout(resolveDelay, ms));

/**
 * Reads until `done` holds of what was read, or the deadline passes, and returns the last value read either way:
 * the test's expect then shows what it was, not only that the wait ran out.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await read();
      if (done(value) || Date.now() >= deadline) return value;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await sleep(100);
  }
}

/** Waits until `condition` holds; past the deadline, fails saying what it waited for. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  if (!(await eventually(async () => condition(), Boolean, timeoutMs))) throw new Error(`timed out waiting for ${what}`);
}
