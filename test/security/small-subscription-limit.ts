// Imported first by the platform security test: a per-client subscription limit small enough to reach.
process.env.GOVGRAPH_MAX_SUBSCRIPTIONS_PER_CLIENT = "3";
