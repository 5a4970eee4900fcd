// Imported first by the event fan-out test: room for 1,000 subscriptions from one test client, and a window small enough to outrun.
process.env.GOVGRAPH_MAX_SUBSCRIPTIONS_PER_CLIENT = "1000";
process.env.GOVGRAPH_EVENT_WINDOW = "20";
