/**
 * The data inventory through the gateway: decisions with their bases, the
 * opening order, and personal data published only once de-identified.
 */
import { Role } from "../contract/claims";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";

let topology: TestTopology;
let staff: string;

beforeAll(async () => {
  topology = await startTestTopology(["ACA"]);
  staff = await topology.token(Role.AGENCY_STAFF, "ACA");
});

afterAll(async () => {
  await topology?.stop();
});

type Item = { id: string; state: string; openness: string; priorityRank: number };
const ITEM = "id state openness priorityRank";

async function mutate(name: string, input: Record<string, unknown>, token = staff): Promise<GraphQLResponse<Record<string, { item: Item }>>> {
  return topology.query(`mutation($input: ${name[0].toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { item { ${ITEM} } } }`, { input: { agencyCode: "ACA", ...input } }, token);
}

async function add(title: string, holdsPersonalData = false): Promise<string> {
  const response = await mutate("addInventoryItem", { title, description: `${title}之原始資料`, holdsPersonalData });
  expect(response.errors).toBeUndefined();
  return response.data!.addInventoryItem.item.id;
}

async function items(): Promise<number> {
  const [row] = await topology.sql<{ count: string }>("catalogue:ACA", "select count(*) from inventory_item");
  return Number(row.count);
}

test("decide, rank, and publish the inventory; personal data only once de-identified", async () => {
  const before = await items();
  expect((await mutate("addInventoryItem", { title: "x", description: "y" }, await topology.token(Role.AGENCY_STAFF, "MOJ"))).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  expect(await items()).toBe(before);

  const inmates = await add("收容人個人資料統計", true);
  const secret = await add("偵查中案件資料");
  const visits = await add("監所接見人次");

  const noBasis = await mutate("decideOpenness", { itemId: secret, openness: "NOT_OPENABLE" });
  expect(noBasis.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.legalBasis" }] });
  const contradictory = await mutate("decideOpenness", { itemId: secret, openness: "NOT_OPENABLE", legalBasis: "刑事訴訟法第245條", priorityBasis: "REQUIRED_BY_LAW" });
  expect(contradictory.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    fields: [{ path: "input.priorityBasis", reason: "a holding NOT_OPENABLE has no priority basis: leave it out, or decide it OPENABLE" }],
  });
  const longAgo = await mutate("decideOpenness", { itemId: secret, openness: "OPENABLE", priorityBasis: "PUBLIC_DEMAND", plannedOpeningOn: "1900-01-01" });
  expect(longAgo.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.plannedOpeningOn", reason: expect.stringContaining("is before 1912-01-01") }] });
  expect(await topology.sql("catalogue:ACA", "select openness, priority_basis, planned_opening_on from inventory_item where id = $1", [secret])).toEqual([
    { openness: "UNDECIDED", priority_basis: null, planned_opening_on: null },
  ]);
  expect((await mutate("decideOpenness", { itemId: secret, openness: "NOT_OPENABLE", legalBasis: "刑事訴訟法第245條" })).data!.decideOpenness.item).toMatchObject({ state: "INVENTORIED", priorityRank: 4 });
  expect((await mutate("decideOpenness", { itemId: inmates, openness: "OPENABLE", priorityBasis: "REQUIRED_BY_LAW", plannedOpeningOn: "2027-01-01" })).data!.decideOpenness.item).toMatchObject({ state: "PLANNED", priorityRank: 0 });
  await mutate("decideOpenness", { itemId: visits, openness: "OPENABLE", priorityBasis: "PUBLIC_DEMAND", plannedOpeningOn: "2026-12-31" });
  await mutate("recordInventoryUsage", { itemId: visits, views: 1000, downloads: 300, requests: 50 });

  const query = "{ agencies(codes: [\"ACA\"]) { inventory(first: 100) { totalCount edges { node { id } } } } }";
  const list = await topology.query<{ agencies: { inventory: { totalCount: number; edges: { node: { id: string } }[] } }[] }>(query, undefined, staff);
  // The seeded holdings are ranked among them; these three keep their order.
  const ours = [inmates, visits, secret];
  expect(list.data!.agencies[0].inventory.edges.map((e) => e.node.id).filter((id) => ours.includes(id))).toEqual(ours);
  expect((await topology.query(query, undefined, await topology.token(Role.PANEL_MEMBER))).errors).toBeUndefined();
  const publicView = await topology.query(query);
  expect(publicView.errors?.[0].extensions?.code).toBe("FORBIDDEN");

  const dataset = (identifier: string) => ({
    agencyCode: "ACA",
    identifier,
    title: "收容人統計",
    description: "去識別化之收容人統計",
    category: "公共資訊",
    accrualPeriodicity: "每1年",
  });
  const tooEarly = await mutate("publishInventoryItem", { itemId: inmates, dataset: dataset("ACA-INV-1") });
  expect(tooEarly.errors?.[0]).toMatchObject({ extensions: { code: "CONFLICT" }, message: expect.stringContaining("record its de-identification first") });
  expect((await topology.sql("catalogue:ACA", "select 1 from dataset where identifier = 'ACA-INV-1'")).length).toBe(0);
  expect((await mutate("publishInventoryItem", { itemId: secret, dataset: dataset("ACA-INV-2") })).errors?.[0].extensions?.code).toBe("CONFLICT");

  await mutate("recordDeIdentification", { itemId: inmates, method: "姓名、身分證字號移除；年齡以5歲分組" });
  const published = await mutate("publishInventoryItem", { itemId: inmates, dataset: dataset("ACA-INV-1") });
  expect(published.errors).toBeUndefined();
  expect(published.data!.publishInventoryItem.item.state).toBe("PUBLISHED");
  const [link] = await topology.sql<{ identifier: string }>("catalogue:ACA", "select d.identifier from inventory_item i join dataset d on d.id = i.dataset_id where i.id = $1", [inmates]);
  expect(link.identifier).toBe("ACA-INV-1");

  const again = await mutate("publishInventoryItem", { itemId: inmates, dataset: dataset("ACA-INV-3") });
  expect(again.errors?.[0]).toMatchObject({ message: 'Cannot publish "收容人個人資料統計": it is already published, as dataset ACA-INV-1.', extensions: { code: "CONFLICT" } });
  const taken = await mutate("publishInventoryItem", { itemId: visits, dataset: dataset("ACA-INV-1") });
  expect(taken.errors?.[0]).toMatchObject({
    message: "A dataset with identifier ACA-INV-1 already exists: give this one an identifier of its own. To replace that dataset, publish this one under a new identifier, then retire ACA-INV-1 with mergedInto naming it (retireDataset).",
    extensions: { code: "CONFLICT", fields: [{ path: "input.dataset.identifier", reason: "is already used" }] },
  });
  expect(await topology.sql("catalogue:ACA", "select identifier from dataset where identifier like 'ACA-INV-%' order by identifier")).toEqual([{ identifier: "ACA-INV-1" }]);

  // The de-identification the publication was approved on stands.
  const rewritten = await mutate("recordDeIdentification", { itemId: inmates, method: "未去識別化" });
  expect(rewritten.errors?.[0]).toMatchObject({
    message: 'Cannot record the de-identification of "收容人個人資料統計": it is already published, as dataset ACA-INV-1, approved on the de-identification recorded then, which stands.',
    extensions: { code: "CONFLICT" },
  });
  const [kept] = await topology.sql<{ de_identification: string }>("catalogue:ACA", "select de_identification from inventory_item where id = $1", [inmates]);
  expect(kept.de_identification).toBe("姓名、身分證字號移除；年齡以5歲分組");
});
