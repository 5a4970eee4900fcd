/**
 * Validates a DCAT document against the vendored DCAT-AP 3.0.1 SHACL shapes
 * (NOTICE.md), with rdf-validate-shacl. Turtle is parsed by n3, JSON-LD by
 * jsonld, with no document loader (nothing is fetched). Prints one JSON
 * object: { triples, conforms, results: [{ severity, focusNode, path, message }] }.
 * A native ES module, as rdf-validate-shacl is ESM-only: tests run it as a
 * child process.
 *
 *   node test/dcat-ap/validate.mjs FILE.ttl|FILE.jsonld
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import jsonld from "jsonld";
import { DataFactory, Parser } from "n3";
import SHACLValidator from "rdf-validate-shacl";

const here = dirname(fileURLToPath(import.meta.url));

function parseTurtle(text) {
  return new Parser({ format: "text/turtle" }).parse(text);
}

/** jsonld's quads are plain objects: rebuild them as RDF/JS terms. */
function term(t) {
  if (t.termType === "NamedNode") return DataFactory.namedNode(t.value);
  if (t.termType === "BlankNode") return DataFactory.blankNode(t.value.replace(/^_:/, ""));
  if (t.termType === "Literal") return DataFactory.literal(t.value, t.language || DataFactory.namedNode(t.datatype.value));
  return DataFactory.defaultGraph();
}

async function parseJsonLd(text) {
  const refuseRemote = async (url) => {
    throw new Error(`a remote document was needed: ${url}`);
  };
  const quads = await jsonld.toRDF(JSON.parse(text), { documentLoader: refuseRemote, safe: true });
  return quads.map((quad) => DataFactory.quad(term(quad.subject), term(quad.predicate), term(quad.object)));
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node test/dcat-ap/validate.mjs FILE.ttl|FILE.jsonld");
  process.exit(2);
}
const text = readFileSync(file, "utf8");
const data = file.endsWith(".jsonld") || file.endsWith(".json") ? await parseJsonLd(text) : parseTurtle(text);
const shapes = [...parseTurtle(readFileSync(join(here, "dcat-ap-SHACL.ttl"), "utf8")), ...parseTurtle(readFileSync(join(here, "ranges.ttl"), "utf8"))];
const validator = new SHACLValidator(shapes);
const report = await validator.validate(validator.factory.dataset(data));
const results = report.results.map((result) => ({
  severity: result.severity?.value,
  focusNode: result.focusNode?.value,
  path: result.path?.value,
  message: result.message.map((message) => message.value).join("; "),
}));
console.log(JSON.stringify({ triples: data.length, conforms: report.conforms, results }));
