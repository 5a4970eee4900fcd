// Imported first by tests whose fixture files are served on loopback: the quality check refuses
// non-public addresses unless allowed, as an intranet deployment would allow its own hosts.
process.env.GOVGRAPH_FETCH_ALLOW = "127.0.0.1";
