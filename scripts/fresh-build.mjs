// Builds dist/ only when a source changed since the last build, so that a
// quick command (npm run token) neither waits for a build nor replaces the
// dist/ that a running platform is using. Plain ESM: it runs before dist/ exists.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// What `npm run build` compiles or copies (package.json): TypeScript and JSON under these folders, tests excepted.
const SOURCES = ["contract", "gateway", "subgraphs", "scripts", "schema"];
const built = (name) => /\.(ts|json)$/.test(name) && !name.endsWith(".test.ts");

function* files(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

const mtimes = (paths) => [...paths].map((path) => statSync(path).mtimeMs);
const newestSource = Math.max(...SOURCES.flatMap((dir) => mtimes([...files(join(root, dir))].filter(built))));
const outputs = mtimes(files(join(root, "dist")));
if (outputs.length === 0 || Math.min(...outputs) < newestSource) execSync("npm run build --silent", { cwd: root, stdio: "inherit" });
