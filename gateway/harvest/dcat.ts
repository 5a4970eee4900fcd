/**
 * GovGraph's catalogue in DCAT-AP 3 terms, as JSON-LD node objects (plain
 * functions over data): the catalogue (dcat:Catalog, published by the
 * ministry), each dataset (dcat:Dataset) with its resources
 * (dcat:Distribution), its agency (dct:publisher, a foaf:Agent named by its
 * OID), a contact point (vcard:Kind), its service category (dcat:theme, a
 * skos:Concept of the national platform's categories), update frequency
 * (dct:accrualPeriodicity), licence, formats and language from the shared
 * vocabularies (vocabularies.ts). Texts carry the zh-Hant language tag.
 *
 * Nodes that many datasets share (agencies, themes, frequencies, licences,
 * formats) are returned apart, by IRI, so a document states each once.
 * Every node has an IRI (no blank nodes), so pages of one catalogue can be
 * written one after another and still describe one graph.
 */
import { agencyByCode, MINISTRY, type AgencyEntry } from "../../contract/agencies";
import type { HarvestDataset, HarvestResource } from "./catalogue";
import { CHINESE, formatIris, frequencyIri, isHttpUrl, knownLicense, languageIri, METADATA_LANGUAGE } from "./vocabularies";

export const CONTEXT = {
  dcat: "http://www.w3.org/ns/dcat#",
  dct: "http://purl.org/dc/terms/",
  foaf: "http://xmlns.com/foaf/0.1/",
  vcard: "http://www.w3.org/2006/vcard/ns#",
  skos: "http://www.w3.org/2004/02/skos/core#",
  locn: "http://www.w3.org/ns/locn#",
  cnt: "http://www.w3.org/2011/content#",
  hydra: "http://www.w3.org/ns/hydra/core#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
} as const;

export type JsonLdNode = { "@id": string } & Record<string, unknown>;

const text = (value: string, language = METADATA_LANGUAGE) => ({ "@value": value, "@language": language });
const ref = (iri: string) => ({ "@id": iri });
const typed = (value: string, type: string) => ({ "@value": value, "@type": type });

/** The IRIs GovGraph mints, under its public URL. */
export class DcatIris {
  constructor(readonly base: string) {}
  catalog = () => `${this.base}/dcat/catalog`;
  themeScheme = () => `${this.base}/dcat/themes`;
  theme = (category: string) => `${this.themeScheme()}/${encodeURIComponent(category)}`;
  dataset = (dataset: Pick<HarvestDataset, "agencyCode" | "identifier">) =>
    `${this.base}/dcat/datasets/${encodeURIComponent(dataset.agencyCode)}/${encodeURIComponent(dataset.identifier)}`;
  distribution = (dataset: HarvestDataset, resource: HarvestResource) => `${this.dataset(dataset)}/distributions/${encodeURIComponent(resource.resourceId)}`;
  /** Words of the standard with no shared code (a frequency, format or licence): GovGraph's own concept. */
  local = (kind: "frequencies" | "formats" | "licenses", value: string) => `${this.base}/dcat/${kind}/${encodeURIComponent(value)}`;
  /** The dataset's page in GovGraph's console. */
  page = (dataset: Pick<HarvestDataset, "agencyCode" | "id">) => `${this.base}/#/datasets/${encodeURIComponent(dataset.agencyCode)}/${encodeURIComponent(dataset.id)}`;
}

/** An agency as a foaf:Agent: its OID when the directory knows it, else GovGraph's IRI for its code. */
export function agentIri(iris: DcatIris, agencyCode: string): string {
  const agency = agencyByCode(agencyCode);
  return agency ? `urn:oid:${agency.oid}` : `${iris.base}/organizations/${encodeURIComponent(agencyCode)}`;
}

function agentNode(iris: DcatIris, agencyCode: string, publishedName: string | null): JsonLdNode {
  const agency: AgencyEntry | undefined = agencyByCode(agencyCode);
  return {
    "@id": agentIri(iris, agencyCode),
    "@type": ["foaf:Agent", "foaf:Organization"],
    "foaf:name": agency ? [text(agency.name), text(agency.nameEn, "en")] : [text(publishedName ?? agencyCode)],
    ...(agency ? { "dct:identifier": agency.oid } : {}),
  };
}


/** The catalogue itself, with what it needs that no dataset brings. */
export function catalogNodes(iris: DcatIris): JsonLdNode[] {
  return [
    {
      "@id": iris.catalog(),
      "@type": "dcat:Catalog",
      "dct:title": [text(`${MINISTRY.name}開放資料目錄（GovGraph）`), text(`${MINISTRY.nameEn}: open data catalogue (GovGraph)`, "en")],
      "dct:description": [
        text(`${MINISTRY.name}及所屬機關之開放資料集，由 GovGraph 彙整各機關目錄提供。`),
        text(`Open datasets of the ${MINISTRY.nameEn} and its agencies, from every agency's catalogue in GovGraph.`, "en"),
      ],
      "dct:publisher": ref(agentIri(iris, MINISTRY.code)),
      "foaf:homepage": ref(`${iris.base}/`),
      "dct:language": ref(CHINESE),
      "dcat:themeTaxonomy": ref(iris.themeScheme()),
    },
    agentNode(iris, MINISTRY.code, null),
    { "@id": `${iris.base}/`, "@type": "foaf:Document" },
    { "@id": CHINESE, "@type": "dct:LinguisticSystem" },
    { "@id": iris.themeScheme(), "@type": "skos:ConceptScheme", "dct:title": [text("服務分類"), text("Service categories of the national open data platform", "en")] },
  ];
}

export interface DatasetGraph {
  /** The dataset, its distributions, contact point, coverage: nodes of this dataset alone. */
  nodes: JsonLdNode[];
  /** Nodes other datasets may share (agency, theme, frequency, licence, formats, language), by IRI. */
  shared: Map<string, JsonLdNode>;
}

function licenseNode(iris: DcatIris, license: string): JsonLdNode {
  const known = knownLicense(license);
  const iri = known?.url ?? (isHttpUrl(license) ? license : iris.local("licenses", license));
  return { "@id": iri, "@type": "dct:LicenseDocument", "dct:title": text(license) };
}

function frequencyNode(iris: DcatIris, periodicity: string): JsonLdNode {
  return { "@id": frequencyIri(periodicity) ?? iris.local("frequencies", periodicity), "@type": "dct:Frequency", "skos:prefLabel": text(periodicity) };
}

function distributionNode(iris: DcatIris, dataset: HarvestDataset, resource: HarvestResource, license: string, shared: Map<string, JsonLdNode>): JsonLdNode {
  const format = formatIris(resource.format);
  const formatIri = format?.fileType ?? iris.local("formats", resource.format);
  shared.set(formatIri, { "@id": formatIri, "@type": "dct:MediaTypeOrExtent", "skos:prefLabel": resource.format });
  if (format) shared.set(format.mediaType, { "@id": format.mediaType, "@type": "dct:MediaType" });
  const download = isHttpUrl(resource.downloadUrl) ? resource.downloadUrl : undefined;
  return {
    "@id": iris.distribution(dataset, resource),
    "@type": "dcat:Distribution",
    "dct:identifier": resource.resourceId,
    "dct:title": text(resource.description),
    "dct:description": text(resource.description),
    ...(download ? { "dcat:accessURL": ref(download) } : {}),
    // A service (API) is reached, not downloaded.
    ...(download && dataset.type === "RAW_DATA" ? { "dcat:downloadURL": ref(download) } : {}),
    "dct:format": ref(formatIri),
    ...(format ? { "dcat:mediaType": ref(format.mediaType) } : {}),
    "dct:license": ref(license),
    "cnt:characterEncoding": resource.encoding,
    ...(resource.modified ? { "dct:modified": typed(resource.modified, "xsd:dateTime") } : {}),
  };
}

export function datasetGraph(iris: DcatIris, dataset: HarvestDataset): DatasetGraph {
  const iri = iris.dataset(dataset);
  const shared = new Map<string, JsonLdNode>();
  const share = (node: JsonLdNode) => (shared.set(node["@id"], node), ref(node["@id"]));

  const publisher = share(agentNode(iris, dataset.agencyCode, dataset.organization));
  const license = licenseNode(iris, dataset.license);
  share(license);
  const theme = share({ "@id": iris.theme(dataset.category), "@type": "skos:Concept", "skos:prefLabel": text(dataset.category), "skos:inScheme": ref(iris.themeScheme()) });
  const frequency = share(frequencyNode(iris, dataset.accrualPeriodicity));
  const language = languageIri(dataset.language);
  if (language) share({ "@id": language, "@type": "dct:LinguisticSystem" });
  const landingPage = isHttpUrl(dataset.landingPage) ? dataset.landingPage : iris.page(dataset);
  share({ "@id": landingPage, "@type": "foaf:Document" });

  const contact: JsonLdNode = {
    "@id": `${iri}#contact`,
    "@type": ["vcard:Kind", "vcard:Organization"],
    "vcard:fn": text(dataset.contactName ?? dataset.organization ?? agencyByCode(dataset.agencyCode)?.name ?? dataset.agencyCode),
    ...(dataset.organization ? { "vcard:organization-name": text(dataset.organization) } : {}),
    ...(dataset.contactPhone ? { "vcard:hasTelephone": ref(`tel:${dataset.contactPhone.replace(/[^0-9+#*]/g, "")}`) } : {}),
  };
  const temporal: JsonLdNode | undefined =
    dataset.temporalCoverageFrom || dataset.temporalCoverageTo
      ? {
          "@id": `${iri}#temporal`,
          "@type": "dct:PeriodOfTime",
          ...(dataset.temporalCoverageFrom ? { "dcat:startDate": typed(dataset.temporalCoverageFrom, "xsd:date") } : {}),
          ...(dataset.temporalCoverageTo ? { "dcat:endDate": typed(dataset.temporalCoverageTo, "xsd:date") } : {}),
        }
      : undefined;
  const spatial: JsonLdNode | undefined = dataset.spatial ? { "@id": `${iri}#spatial`, "@type": "dct:Location", "locn:geographicName": text(dataset.spatial) } : undefined;
  const distributions = dataset.resources.map((resource) => distributionNode(iris, dataset, resource, license["@id"], shared));

  const node: JsonLdNode = {
    "@id": iri,
    "@type": "dcat:Dataset",
    "@reverse": { "dcat:dataset": ref(iris.catalog()) },
    "dct:identifier": dataset.identifier,
    "dct:title": text(dataset.title),
    "dct:description": text(dataset.description),
    "dct:publisher": publisher,
    "dcat:contactPoint": ref(contact["@id"]),
    "dcat:theme": theme,
    "dct:accrualPeriodicity": frequency,
    "dct:issued": typed(dataset.issued, "xsd:date"),
    "dct:modified": typed(dataset.modified, "xsd:dateTime"),
    "dcat:landingPage": ref(landingPage),
    ...(dataset.keywords.length > 0 ? { "dcat:keyword": dataset.keywords.map((keyword) => text(keyword)) } : {}),
    ...(language ? { "dct:language": ref(language) } : {}),
    ...(temporal ? { "dct:temporal": ref(temporal["@id"]) } : {}),
    ...(spatial ? { "dct:spatial": ref(spatial["@id"]) } : {}),
    ...(distributions.length > 0 ? { "dcat:distribution": distributions.map((distribution) => ref(distribution["@id"])) } : {}),
  };
  return { nodes: [node, contact, ...(temporal ? [temporal] : []), ...(spatial ? [spatial] : []), ...distributions], shared };
}
