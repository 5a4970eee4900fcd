/**
 * CPU profiles of a bench's measured runs, taken in-process with the
 * inspector (the same .cpuprofile `node --cpu-prof` writes; open it in
 * Chrome DevTools or speedscope for the flame graph), and their top items by
 * self time, which the bench prints.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join, relative } from "node:path";
import { config, projectRoot } from "../../contract/config";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Runs `work` while the inspector samples this process; writes <data dir>/profiles/<name>.cpuprofile and returns its path. */
export async function profiled<T>(name: string, work: () => Promise<T>): Promise<{ result: T; file: string }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    const result = await work();
    const { profile } = await session.post("Profiler.stop");
    const dir = join(config.dataDir, "profiles");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return { result, file };
  } finally {
    session.disconnect();
  }
}

/** Where a function lives, short: a package name with its file, or a project path. */
function place(url: string, line: number): string {
  if (!url) return "(native)";
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf("node_modules/");
  const short = inModules >= 0 ? path.slice(inModules + "node_modules/".length) : path.startsWith(projectRoot) ? relative(projectRoot, path) : path;
  return `${short}:${line + 1}`;
}

/** The `count` functions with the most self time, with their share of all samples. */
export function topSelfTime(file: string, count = 15): { function: string; where: string; "self %": number; "self ms": number }[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, { function: string; where: string; micros: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
    const key = `${functionName}@${url}:${lineNumber}`;
    const entry = self.get(key) ?? { function: functionName || "(anonymous)", where: place(url, lineNumber), micros: 0 };
    entry.micros += profile.timeDeltas[i];
    total += profile.timeDeltas[i];
    self.set(key, entry);
  });
  return [...self.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, count)
    .map((entry) => ({ function: entry.function, where: entry.where, "self %": Number(((100 * entry.micros) / total).toFixed(1)), "self ms": Math.round(entry.micros / 1000) }));
}
