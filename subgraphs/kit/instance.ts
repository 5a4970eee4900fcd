/** Which instance of which subgraph this is: agency shards name their agency. */
export interface InstanceInfo {
  subgraph: string;
  agencyCode?: string;
}
