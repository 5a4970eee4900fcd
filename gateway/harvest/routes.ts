/**
 * The harvest routes of the gateway (read-only, for anyone, as the public
 * sees the catalogue):
 *
 * - GET /dcat/catalog.jsonld and /dcat/catalog.ttl: the whole catalogue in
 *   DCAT-AP 3, streamed page by page; `?organization=aca` for one agency;
 *   `?limit=N[&after=CURSOR]` for one page with a Hydra link to the next.
 * - GET /dcat/datasets/<agency>/<identifier>: a dataset's IRI, dereferenced.
 * - GET or POST /api/3/action/<action> (and /api/action/<action>): the CKAN
 *   action API that harvesters read: package_search, package_show,
 *   package_list, organization_list, organization_show. Parameters come in
 *   the query string or, as CKAN clients send them, a JSON body.
 */
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AGENCIES } from "../../contract/agencies";
import type { Logger } from "../../contract/logger";
import { CatalogueReader, HarvestReadError, MAX_PAGE, type DatasetPage, type DatasetQuery, type GraphExecutor } from "./catalogue";
import { CkanError, identifiersFor, integerParam, organizationByName, organizationDict, packageDict, packageName, readPackageSearch, MAX_ROWS } from "./ckan";
import { catalogNodes, datasetGraph, DcatIris, type JsonLdNode } from "./dcat";
import { PackageSearcher } from "./package-search";
import { jsonLdWriter, turtleWriter, type RdfDocumentWriter } from "./rdf-writers";

export interface HarvestOptions {
  execute: GraphExecutor;
  /** The agencies whose catalogue the gateway routes to now. */
  agencyCodes: () => readonly string[];
  /** The gateway's public URL (no trailing slash), under which GovGraph's IRIs are minted. */
  publicUrl: () => string;
  log: Logger;
}

const MAX_PARAMS_BYTES = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (req.method !== "POST") return params;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PARAMS_BYTES) throw new CkanError(400, "Bad request", `the request body is larger than ${MAX_PARAMS_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (!text) return params;
  if ((req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")) return { ...params, ...Object.fromEntries(new URLSearchParams(text)) };
  try {
    const body = JSON.parse(text) as unknown;
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
    return { ...params, ...(body as Record<string, unknown>) };
  } catch {
    throw new CkanError(400, "Bad request", "the request body must be a JSON object of the action's parameters");
  }
}

/** A failure to read the catalogue, in CKAN's words. */
function ckanErrorOf(error: unknown): CkanError | undefined {
  if (error instanceof CkanError) return error;
  if (error instanceof HarvestReadError) {
    return error.unavailable ? new CkanError(503, "Service Unavailable", `${error.message}; try again shortly`) : new CkanError(409, "Validation Error", error.message);
  }
  return undefined;
}

export function harvestHandler({ execute, agencyCodes, publicUrl, log }: HarvestOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const reader = new CatalogueReader(execute);
  const searcher = new PackageSearcher(reader);

  const actions: Record<string, (params: Record<string, unknown>, iris: DcatIris) => Promise<unknown>> = {
    async package_search(params, iris) {
      const search = readPackageSearch(params, agencyCodes());
      const { count, results } = await searcher.search(search);
      return { count, sort: search.sort, facets: {}, search_facets: {}, results: results.map((dataset) => packageDict(dataset, iris)) };
    },
    async package_show(params, iris) {
      const id = typeof params.id === "string" ? params.id.trim() : "";
      if (!id) throw new CkanError(409, "Validation Error", "id is required: a dataset's name, national identifier or id", { id: ["Missing value"] });
      const dataset = UUID.test(id)
        ? await reader.byId(id, agencyCodes())
        : (await reader.byIdentifiers(identifiersFor(id))).find((candidate) => candidate.identifier === id || packageName(candidate.identifier) === id);
      if (!dataset) throw new CkanError(404, "Not Found Error", `Not found: no published dataset has the name, identifier or id ${id}`);
      return packageDict(dataset, iris);
    },
    async package_list(params) {
      const names: string[] = [];
      // Read under this action's names (limit, offset), so that a refusal names what the client sent, not package_search's rows and start.
      const rows = integerParam("limit", params.limit, MAX_ROWS, MAX_ROWS);
      const search = readPackageSearch({ sort: "id asc", rows, start: integerParam("offset", params.offset, 0, Number.MAX_SAFE_INTEGER) }, agencyCodes());
      if (params.limit !== undefined) return (await searcher.search(search)).results.map((dataset) => packageName(dataset.identifier));
      for await (const page of reader.agencyByAgency(search.query, agencyCodes())) names.push(...page.datasets.map((dataset) => packageName(dataset.identifier)));
      return names;
    },
    async organization_list(params) {
      const allFields = params.all_fields === true || params.all_fields === "true" || params.all_fields === "True";
      return AGENCIES.map((agency) => (allFields ? organizationDict(agency) : organizationDict(agency).name));
    },
    async organization_show(params) {
      const agency = typeof params.id === "string" ? organizationByName(params.id.trim()) : undefined;
      if (!agency) throw new CkanError(404, "Not Found Error", `Not found: no organization named ${String(params.id ?? "")}`);
      return organizationDict(agency);
    },
  };

  async function action(name: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const iris = new DcatIris(publicUrl());
    const help = `${iris.base}/api/3/action/help_show?name=${encodeURIComponent(name)}`;
    try {
      const run = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!run) throw new CkanError(400, "Bad request", `Action name not known: ${name}; this API answers ${Object.keys(actions).join(", ")}`);
      const result = await run(await readParams(req, url), iris);
      sendJson(res, 200, { help, success: true, result });
    } catch (error) {
      const refusal = ckanErrorOf(error);
      if (!refusal) log.error({ err: error, action: name }, "harvest action failed");
      const answer = refusal ?? new CkanError(500, "Internal Server Error", "the catalogue could not be read");
      sendJson(res, answer.status, { help, success: false, error: answer.body() });
    }
  }

  /** The reading failed before anything was sent: an answer with its status. */
  function refuse(res: ServerResponse, error: unknown): void {
    const refusal = ckanErrorOf(error);
    if (!refusal) log.error({ err: error }, "DCAT could not be read");
    // CKAN's API answers a request it refuses with 409 (its own convention); the DCAT documents are plain HTTP: 400.
    const status = refusal ? (refusal.status === 409 ? 400 : refusal.status) : 500;
    sendJson(res, status, { error: refusal?.message ?? "the catalogue could not be read" });
  }

  /** Writes a DCAT document: the `head` nodes, then every dataset of `first` and of the pages `rest` yields. */
  async function writeRdf(writer: RdfDocumentWriter, res: ServerResponse, iris: DcatIris, head: JsonLdNode[], first: DatasetPage, rest?: AsyncGenerator<DatasetPage>) {
    res.writeHead(200, { "content-type": writer.contentType, "cache-control": "no-store" });
    let closed = false;
    res.once("close", () => (closed = true));
    const send = async (chunk: string) => {
      if (chunk && !res.write(chunk) && !closed) await once(res, "drain");
    };
    const stated = new Set(head.map((node) => node["@id"]));
    try {
      await send(writer.begin());
      await send(await writer.page(head));
      for (let page: DatasetPage | undefined = first; page && !closed; page = (await rest?.next())?.value ?? undefined) {
        const nodes: JsonLdNode[] = [];
        for (const dataset of page.datasets) {
          const graph = datasetGraph(iris, dataset);
          for (const [iri, node] of graph.shared) if (!stated.has(iri)) (stated.add(iri), nodes.push(node));
          nodes.push(...graph.nodes);
        }
        await send(await writer.page(nodes));
      }
      await send(writer.end());
      res.end();
    } catch (error) {
      // Headers are sent: break the transfer, so no harvester takes a partial catalogue for the whole one.
      log.warn({ err: error }, "DCAT document interrupted");
      res.destroy(error as Error);
    }
  }

  async function catalogue(writer: RdfDocumentWriter, res: ServerResponse, url: URL): Promise<void> {
    const iris = new DcatIris(publicUrl());
    const organization = url.searchParams.get("organization");
    const agency = organization ? organizationByName(organization) : undefined;
    const limitParam = url.searchParams.get("limit");
    const limit = limitParam === null ? undefined : Number(limitParam);
    if (organization && !agency) return sendJson(res, 404, { error: `No organization named ${organization}; see /api/3/action/organization_list` });
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)) return sendJson(res, 400, { error: `limit must be an integer from 1 to ${MAX_PAGE}` });
    const query: DatasetQuery = { orderBy: "PUBLISHED_DESC", ...(agency ? { agencyCodes: [agency.code] } : {}) };
    // One page: the merged connection, whose cursor links the next; the whole catalogue: agency by agency.
    const pages =
      limit === undefined ? reader.agencyByAgency(query, agency ? [agency.code] : agencyCodes()) : reader.pages(query, url.searchParams.get("after"), limit);
    let first: DatasetPage;
    try {
      first = (await pages.next()).value as DatasetPage;
    } catch (error) {
      return refuse(res, error);
    }
    const head: JsonLdNode[] = catalogNodes(iris);
    if (limit !== undefined) {
      // One page: the catalogue as a Hydra collection whose view links the next page by its cursor.
      const view = (after: string | null) => {
        const link = new URL(`${iris.base}${url.pathname}`);
        if (organization) link.searchParams.set("organization", organization);
        link.searchParams.set("limit", String(limit));
        if (after) link.searchParams.set("after", after);
        return link.href;
      };
      const here = view(url.searchParams.get("after"));
      head.push(
        { "@id": iris.catalog(), "hydra:totalItems": { "@value": String(first.totalCount), "@type": "xsd:nonNegativeInteger" }, "hydra:view": { "@id": here } },
        {
          "@id": here,
          "@type": "hydra:PartialCollectionView",
          "hydra:first": { "@id": view(null) },
          ...(first.hasNextPage && first.endCursor ? { "hydra:next": { "@id": view(first.endCursor) } } : {}),
        },
      );
    }
    await writeRdf(writer, res, iris, head, first, limit === undefined ? pages : undefined);
  }

  /** A dataset's own IRI dereferenced: its description alone (Turtle, or JSON-LD when the client accepts it). */
  async function dataset(req: IncomingMessage, res: ServerResponse, agencyCode: string, identifier: string): Promise<void> {
    const iris = new DcatIris(publicUrl());
    let found;
    try {
      found = (await reader.byIdentifiers([identifier])).filter((candidate) => candidate.agencyCode === agencyCode);
    } catch (error) {
      return refuse(res, error);
    }
    if (found.length === 0) return sendJson(res, 404, { error: `No published dataset ${identifier} of ${agencyCode}` });
    const writer = (req.headers.accept ?? "").includes("application/ld+json") ? jsonLdWriter() : turtleWriter();
    await writeRdf(writer, res, iris, [], { totalCount: found.length, datasets: found, hasNextPage: false, endCursor: null });
  }

  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const ckan = /^\/api(?:\/3)?\/action\/([\w-]+)\/?$/.exec(url.pathname);
    if (ckan) {
      if (req.method !== "GET" && req.method !== "POST") return false;
      void action(ckan[1], req, res, url);
      return true;
    }
    if (req.method !== "GET") return false;
    if (url.pathname === "/dcat/catalog.jsonld") return void catalogue(jsonLdWriter(), res, url), true;
    if (url.pathname === "/dcat/catalog.ttl") return void catalogue(turtleWriter(), res, url), true;
    const datasetPath = /^\/dcat\/datasets\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (datasetPath) {
      let agencyCode: string, identifier: string;
      try {
        [agencyCode, identifier] = [decodeURIComponent(datasetPath[1]), decodeURIComponent(datasetPath[2])];
      } catch {
        sendJson(res, 400, { error: "the dataset's path is not well encoded" });
        return true;
      }
      void dataset(req, res, agencyCode, identifier);
      return true;
    }
    return false;
  };
}
