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

/** The package of a function (or the project's folder, or node's internals). */
function area(url: string): string {
  if (!url) return "(native: I/O, GC, idle)";
  if (url.startsWith("node:")) return "node";
  const path = url.replace(/^file:\/\//, "");
  const inModules = path.lastIndexOf("node_modules/");
  if (inModules >= 0) {
    const [scope, name] = path.slice(inModules + "node_modules/".length).split("/");
    return scope.startsWith("@") ? `${scope}/${name}` : scope;
  }
  return relative(projectRoot, path).split("/").slice(0, 3).join("/");
}

/**
 * The `count` items with the most self time, with their share of all
 * samples: functions, or (by "area") packages and project folders.
 */
export function topSelfTime(file: string, count = 15, by: "function" | "area" = "function"): { item: string; "self %": number; "self ms": number }[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame;
    const key = by === "area" ? area(url) : `${functionName || "(anonymous)"} ${place(url, lineNumber)}`;
    self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i]);
    total += profile.timeDeltas[i];
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([item, micros]) => ({ item, "self %": Number(((100 * micros) / total).toFixed(1)), "self ms": Math.round(micros / 1000) }));
}
