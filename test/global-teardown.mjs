export default async function globalTeardown() {
  await globalThis.__GOVGRAPH_TEST_POSTGRES__?.stop();
}
