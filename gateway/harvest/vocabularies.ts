/**
 * How the national metadata standard's values map to the shared
 * vocabularies harvesters understand: the EU Publications Office's
 * authority tables (frequency, file type, language) that DCAT-AP
 * recommends, IANA media types, and the licence's published URL. Values
 * with no counterpart keep their own words (the caller mints a local IRI).
 */

const AUTHORITY = "http://publications.europa.eu/resource/authority";

/** 更新頻率 (每N年/月/週/日/時/分, 不定期更新) → the EU frequency table; undefined when it has no code. */
export function frequencyIri(periodicity: string): string | undefined {
  if (periodicity === "不定期更新") return `${AUTHORITY}/frequency/IRREG`;
  const match = /^每([1-9]\d*)(年|月|週|日|時|分)$/.exec(periodicity);
  if (!match) return undefined;
  const codes: Record<string, Record<number, string>> = {
    年: { 1: "ANNUAL", 2: "BIENNIAL", 3: "TRIENNIAL", 4: "QUADRENNIAL", 5: "QUINQUENNIAL", 10: "DECENNIAL" },
    月: { 1: "MONTHLY", 2: "BIMONTHLY", 3: "QUARTERLY", 6: "ANNUAL_2", 12: "ANNUAL" },
    週: { 1: "WEEKLY", 2: "BIWEEKLY" },
    日: { 1: "DAILY", 7: "WEEKLY" },
    時: { 1: "HOURLY" },
    分: {},
  };
  const code = codes[match[2]][Number(match[1])];
  return code ? `${AUTHORITY}/frequency/${code}` : undefined;
}

interface FormatEntry {
  /** Code in the EU file-type table. */
  fileType: string;
  /** IANA media type. */
  mediaType: string;
}

const FORMATS: Record<string, FormatEntry> = {
  CSV: { fileType: "CSV", mediaType: "text/csv" },
  JSON: { fileType: "JSON", mediaType: "application/json" },
  XML: { fileType: "XML", mediaType: "application/xml" },
  XLS: { fileType: "XLS", mediaType: "application/vnd.ms-excel" },
  XLSX: { fileType: "XLSX", mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
  ODS: { fileType: "ODS", mediaType: "application/vnd.oasis.opendocument.spreadsheet" },
  PDF: { fileType: "PDF", mediaType: "application/pdf" },
  DOC: { fileType: "DOC", mediaType: "application/msword" },
  DOCX: { fileType: "DOCX", mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
  ODT: { fileType: "ODT", mediaType: "application/vnd.oasis.opendocument.text" },
  HTML: { fileType: "HTML", mediaType: "text/html" },
  TXT: { fileType: "TXT", mediaType: "text/plain" },
  ZIP: { fileType: "ZIP", mediaType: "application/zip" },
  GEOJSON: { fileType: "GEOJSON", mediaType: "application/geo+json" },
  KML: { fileType: "KML", mediaType: "application/vnd.google-earth.kml+xml" },
  KMZ: { fileType: "KMZ", mediaType: "application/vnd.google-earth.kmz" },
  TTL: { fileType: "RDF_TURTLE", mediaType: "text/turtle" },
  JSONLD: { fileType: "JSON_LD", mediaType: "application/ld+json" },
  RDF: { fileType: "RDF_XML", mediaType: "application/rdf+xml" },
};

/** A declared file format (CSV, json, JSON-LD…) as the EU file-type IRI and IANA media type IRI, when known. */
export function formatIris(format: string): { fileType: string; mediaType: string; mimeType: string } | undefined {
  const entry = FORMATS[format.toUpperCase().replace(/[^A-Z0-9]/g, "")];
  return entry && { fileType: `${AUTHORITY}/file-type/${entry.fileType}`, mediaType: `https://www.iana.org/assignments/media-types/${entry.mediaType}`, mimeType: entry.mediaType };
}

/** A language code of the data (zh-TW, en…) → the EU language table. */
export function languageIri(language: string | null): string | undefined {
  const primary = (language ?? "").toLowerCase().split(/[-_]/)[0];
  const code = ({ zh: "ZHO", en: "ENG" } as Record<string, string>)[primary];
  return code && `${AUTHORITY}/language/${code}`;
}

/** The metadata's own language: Traditional Chinese. */
export const METADATA_LANGUAGE = "zh-Hant";
export const CHINESE = `${AUTHORITY}/language/ZHO`;

export interface KnownLicense {
  /** CKAN's id of the licence (the Open Definition's). */
  id: string;
  url: string;
  /** Whether it is an open licence (CKAN's isopen). */
  open: boolean;
}

/** 政府資料開放授權條款-第1版, the catalogue's default licence, and where it is published. */
const LICENSES: Record<string, KnownLicense> = {
  "政府資料開放授權條款-第1版": { id: "OGDL-Taiwan-1.0", url: "https://data.gov.tw/license", open: true },
};

export function knownLicense(license: string): KnownLicense | undefined {
  return LICENSES[license.trim()];
}

/** A licence (or landing page) given as an http(s) URL, usable as an IRI as it is. */
export function isHttpUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
