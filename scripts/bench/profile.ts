/**
 * CPU profiles of a bench's measured runs, taken with the inspector (the same
 * .cpuprofile `node --cpu-prof` writes; open it in Chrome DevTools or
 * speedscope for the flame graph), in this process or in a child started with
 * --inspect, and their top items by self time, which the bench prints; and a
 * child's heap, read through the same inspector.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join, relative } from "node:path";
import WebSocket from "ws";
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

function writeProfile(name: string, profile: unknown): string {
  const dir = join(config.dataDir, "profiles");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
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
    return { result, file: writeProfile(name, profile) };
  } finally {
    session.disconnect();
  }
}

/** The Chrome DevTools protocol of another process, started with --inspect=127.0.0.1:<inspectPort>, over the inspector's WebSocket. */
export async function inspectorOf(inspectPort: number) {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolveOpen, rejectOpen) => socket.once("open", resolveOpen).once("error", rejectOpen));
  let nextId = 0;
  const post = (method: string) =>
    new Promise<Record<string, unknown>>((resolveReply, rejectReply) => {
      const id = ++nextId;
      const onMessage = (data: WebSocket.RawData) => {
        const reply = JSON.parse(data.toString()) as { id?: number; result: Record<string, unknown>; error?: { message: string } };
        if (reply.id !== id) return;
        socket.off("message", onMessage);
        if (reply.error) rejectReply(new Error(`${method}: ${reply.error.message}`));
        else resolveReply(reply.result);
      };
      socket.on("message", onMessage);
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    post,
    /** The process's heap in use, in MiB; after a full garbage collection when `collect` (what is still referenced). */
    async heapUsedMb(collect: boolean): Promise<number> {
      if (collect) await post("HeapProfiler.collectGarbage");
      return ((await post("Runtime.getHeapUsage")).usedSize as number) / 1024 / 1024;
    },
    close: () => socket.close(),
  };
}

export type Inspector = Awaited<ReturnType<typeof inspectorOf>>;

/** The same for another process, through its inspector: only `work` is sampled, not the process's startup or what it does before and after. */
export async function profiledWith<T>(inspector: Inspector, name: string, work: () => Promise<T>): Promise<{ result: T; file: string }> {
  await inspector.post("Profiler.enable");
  await inspector.post("Profiler.start");
  const result = await work();
  const { profile } = await inspector.post("Profiler.stop");
  return { result, file: writeProfile(name, profile) };
}

/** The same for another process started with --inspect=127.0.0.1:<inspectPort>. */
export async function profiledProcess<T>(inspectPort: number, name: string, work: () => Promise<T>): Promise<{ result: T; file: string }> {
  const inspector = await inspectorOf(inspectPort);
  try {
    return await profiledWith(inspector, name, work);
  } finally {
    inspector.close();
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

/** Prints where a profile is and its top items: by package and project folder, then by function. */
export function printProfile(title: string, file: string): void {
  console.log(`\n${title}: ${file}`);
  console.table(topSelfTime(file, 15, "area"));
  console.table(topSelfTime(file, 25));
}
