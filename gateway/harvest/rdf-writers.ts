/**
 * One DCAT document written page by page, as JSON-LD or as Turtle, so a whole
 * catalogue is sent while it is read and never held in memory. JSON-LD is
 * the node objects themselves under one @context; Turtle is the same nodes
 * turned into triples by jsonld (the JSON-LD processor, so both formats
 * carry exactly the same graph) and written by one n3 writer, which states
 * the prefixes once.
 */
import jsonld from "jsonld";
import { DataFactory, Writer, type Quad_Object, type Quad_Predicate, type Quad_Subject, type Term } from "n3";
import { CONTEXT, type JsonLdNode } from "./dcat";

export interface RdfDocumentWriter {
  contentType: string;
  begin(): string;
  page(nodes: JsonLdNode[]): Promise<string>;
  end(): string;
}

export function jsonLdWriter(): RdfDocumentWriter {
  let first = true;
  return {
    contentType: "application/ld+json; charset=utf-8",
    begin: () => `{"@context":${JSON.stringify(CONTEXT)},"@graph":[\n`,
    async page(nodes) {
      const text = nodes.map((node) => JSON.stringify(node)).join(",\n");
      if (!text) return "";
      const separated = first ? text : `,\n${text}`;
      first = false;
      return separated;
    },
    end: () => "\n]}\n",
  };
}

/** jsonld's terms are plain objects; n3 writes its own. Blank nodes (none are minted) would be named per page. */
function n3Term(term: { termType: string; value: string; language?: string; datatype?: { value: string } }, page: number): Term {
  switch (term.termType) {
    case "NamedNode":
      return DataFactory.namedNode(term.value);
    case "BlankNode":
      return DataFactory.blankNode(`p${page}_${term.value.replace(/^_:/, "")}`);
    case "Literal":
      return DataFactory.literal(term.value, term.language || DataFactory.namedNode(term.datatype!.value));
    default:
      return DataFactory.defaultGraph();
  }
}

export function turtleWriter(): RdfDocumentWriter {
  let buffered = "";
  const take = () => {
    const text = buffered;
    buffered = "";
    return text;
  };
  const writer = new Writer({ write: (chunk: string) => void (buffered += chunk), end: (done?: () => void) => done?.() } as never, { prefixes: CONTEXT });
  let pages = 0;
  return {
    contentType: "text/turtle; charset=utf-8",
    begin: take,
    async page(nodes) {
      pages += 1;
      type JsonLdQuad = Record<"subject" | "predicate" | "object" | "graph", Parameters<typeof n3Term>[0]>;
      const quads = (await jsonld.toRDF({ "@context": CONTEXT, "@graph": nodes } as never)) as unknown as JsonLdQuad[];
      for (const quad of quads) {
        writer.addQuad(n3Term(quad.subject, pages) as Quad_Subject, n3Term(quad.predicate, pages) as Quad_Predicate, n3Term(quad.object, pages) as Quad_Object);
      }
      return take();
    },
    end() {
      writer.end();
      return take();
    },
  };
}
