// Builds the web console into dist/console (part of `npm run build`):
// - bundles console/src with esbuild (one minified script, one stylesheet);
// - turns every operation of console/src/operations/*.graphql into a trusted
//   document: the bundle gets only its id (the SHA-256 of its text), and
//   persisted-documents.json maps each id to its text for the gateway;
// - writes a gzip copy of each file beside it, which the gateway serves to
//   browsers that accept it.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { Kind, parse, print, visit } from "graphql";

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, "..", "dist", "console");
const manifest = {};

/** Each operation of a .graphql file with the fragments it spreads, printed alone. */
function trustedDocuments(source, file) {
  const document = parse(source);
  const fragments = new Map(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const exports = {};
  for (const operation of document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION)) {
    if (!operation.name) throw new Error(`${file}: every operation needs a name`);
    const used = new Set();
    const collect = (node) =>
      visit(node, {
        FragmentSpread(spread) {
          if (used.has(spread.name.value)) return;
          const fragment = fragments.get(spread.name.value);
          if (!fragment) throw new Error(`${file}: unknown fragment ${spread.name.value}`);
          used.add(spread.name.value);
          collect(fragment);
        },
      });
    collect(operation);
    const text = [operation, ...[...used].map((name) => fragments.get(name))].map(print).join("\n\n");
    const id = createHash("sha256").update(text).digest("hex");
    manifest[id] = text;
    exports[operation.name.value] = { id, name: operation.name.value, kind: operation.operation };
  }
  return exports;
}

const graphqlDocuments = {
  name: "trusted-documents",
  setup(esbuildBuild) {
    esbuildBuild.onLoad({ filter: /\.graphql$/ }, (args) => {
      const exports = trustedDocuments(readFileSync(args.path, "utf8"), basename(args.path));
      return { contents: `export default ${JSON.stringify(exports)};`, loader: "js" };
    });
  },
};

mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(root, "src", "main.tsx") },
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: out,
  loader: { ".css": "css" },
  plugins: [graphqlDocuments],
  logLevel: "warning",
});
copyFileSync(join(root, "index.html"), join(out, "index.html"));
writeFileSync(join(out, "persisted-documents.json"), JSON.stringify(manifest, null, 2));
for (const file of readdirSync(out)) {
  if (/\.(html|js|css)$/.test(file)) writeFileSync(join(out, `${file}.gz`), gzipSync(readFileSync(join(out, file)), { level: 9 }));
}
