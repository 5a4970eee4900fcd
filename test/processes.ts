/**
 * Free ports for tests that start processes (a subgraph as a process of its
 * own: scripts/server-process.ts).
 */
import { freePort, portBelowEphemeral, portTaken } from "../contract/listen";

export { freePort };

/**
 * A gateway port whose whole local topology (gateway + 1, + 2, + 100…108, + 200…208) is free, below the
 * ephemeral range so that outgoing connections do not take ports of it meanwhile.
 */
export async function freeTopologyPort(): Promise<number> {
  const offsets = [0, 1, 2, ...Array.from({ length: 9 }, (_, i) => 100 + i), ...Array.from({ length: 9 }, (_, i) => 200 + i)];
  for (;;) {
    const base = portBelowEphemeral(Math.max(...offsets) + 1);
    const taken = await Promise.all(offsets.map((offset) => portTaken("127.0.0.1", base + offset)));
    if (!taken.includes(true)) return base;
  }
}
