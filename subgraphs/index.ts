/** The four subgraphs, by name. */
import { advisory } from "./advisory";
import { catalogue } from "./catalogue";
import { feedback } from "./feedback";
import { metrics } from "./metrics";
import type { SubgraphDefinition } from "./kit/subgraph";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const subgraphs: Record<string, SubgraphDefinition<any, any>> = { catalogue, feedback, advisory, metrics };

export const agencySubgraphs = Object.values(subgraphs).filter((s) => s.sharded).map((s) => s.name);
export const ministrySubgraphs = Object.values(subgraphs).filter((s) => !s.sharded).map((s) => s.name);
