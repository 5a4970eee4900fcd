/** A trusted document as the build hands it to the bundle: its id only (console/build.mjs). */
interface TrustedOperation {
  id: string;
  name: string;
  kind: "query" | "mutation" | "subscription";
}

declare module "*.graphql" {
  const operations: Record<string, TrustedOperation>;
  export default operations;
}

declare module "*.json" {
  const value: unknown;
  export default value;
}
