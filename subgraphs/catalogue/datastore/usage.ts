/** The datastore's use, counted for the inventory's public-demand priority: pages and downloads alike. */
import { LockMode, type EntityManager } from "@mikro-orm/postgresql";
import { InventoryItem, inventoryRank } from "../inventory";
import type { Datastore } from "./entities";

/** A page or a download served counts as a use of the dataset: the datastore's and its inventory item's (public demand). */
export async function countRequest(em: EntityManager, datastore: Datastore): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.getConnection().execute("update datastore set requests = requests + 1 where resource_id = ?", [datastore.resourceId]);
    const item = await tx.findOne(InventoryItem, { datasetId: datastore.datasetId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (item) {
      item.downloads += 1;
      tx.assign(item, inventoryRank(item));
    }
  });
}
