/**
 * When resources are loaded into the datastore: after publishing, and after
 * a quality check finds a file other than the one loaded (its SHA-256), each
 * in the background, recording the state as it goes (load.ts does the load).
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Logger } from "../../../contract/logger";
import type { ScanSettings } from "../deidentification/gate";
import type { Resource } from "../entities";
import { structuredFormat } from "../structured/read";
import { Datastore, DatastoreState } from "./entities";
import { loadResourceFile } from "./load";

/** A structured resource as the datastore loads it. */
export interface LoadableResource {
  id: string;
  datasetId: string;
  downloadUrl: string;
  format: string;
}

const isLoadable = (resource: { format: string }) => ["CSV", "JSON"].includes(structuredFormat(resource.format) ?? "");

/**
 * (Re)loads a resource's file into its datastore, recording the state as it
 * goes; a failure is kept as the datastore's error, never thrown. Nothing
 * happens while another load of the resource runs.
 */
export async function loadDatastore(em: EntityManager, resource: LoadableResource, settings: ScanSettings, log: Logger): Promise<Datastore | null> {
  const fork = em.fork();
  try {
    const loaded = await loadResourceFile(fork, resource, settings, {
      async started(client) {
        await client.query(
          `insert into datastore (resource_id, dataset_id, state) values ($1, $2, $3)
           on conflict (resource_id) do update set state = excluded.state, error = null`,
          [resource.id, resource.datasetId, DatastoreState.LOADING],
        );
      },
      async swapped(client, { encoding, columns, rows, sha256 }) {
        await client.query(
          "update datastore set state = $2, encoding = $3, columns = $4, rows = $5, sha256 = $6, loaded_at = now(), error = null where resource_id = $1",
          [resource.id, DatastoreState.LOADED, encoding, JSON.stringify(columns), rows, sha256],
        );
      },
    });
    if (!loaded) return null;
  } catch (error) {
    log.warn({ err: error, resourceId: resource.id }, "datastore load failed");
    await fork.getConnection().execute(
      `insert into datastore (resource_id, dataset_id, state, error) values (?, ?, ?, ?)
       on conflict (resource_id) do update set state = excluded.state, error = excluded.error`,
      [resource.id, resource.datasetId, DatastoreState.FAILED, error instanceof Error ? error.message : String(error)],
    );
  }
  return fork.findOne(Datastore, { resourceId: resource.id });
}

/** Loads the CSV and JSON resources among these, one after another, in the background. */
export function loadInBackground(em: EntityManager, resources: readonly LoadableResource[], settings: ScanSettings, log: Logger): void {
  void (async () => {
    for (const resource of resources.filter(isLoadable)) await loadDatastore(em, resource, settings, log);
  })().catch((error: unknown) => log.warn({ err: error }, "datastore loads stopped (the shard is stopping?)"));
}

/** Starts loading the CSV and JSON resources of a just-published dataset, in the background. */
export function loadPublishedResources(em: EntityManager, resources: readonly Resource[], datasetId: string, settings: ScanSettings, log: Logger): void {
  loadInBackground(em, resources.map(({ id, downloadUrl, format }) => ({ id, datasetId, downloadUrl, format })), settings, log);
}

/**
 * After a quality check read the files again: loads, in the background, each
 * CSV or JSON resource whose file is not the one its datastore holds (another
 * SHA-256), or that has none yet (imported, or its first load failed).
 */
export async function reloadChangedResources(em: EntityManager, read: readonly { resource: LoadableResource; sha256: string | null }[], settings: ScanSettings, log: Logger): Promise<void> {
  const candidates = read.filter(({ resource, sha256 }) => sha256 !== null && isLoadable(resource));
  if (candidates.length === 0) return;
  const held = new Map((await em.fork().find(Datastore, { resourceId: { $in: candidates.map(({ resource }) => resource.id) } })).map((datastore) => [datastore.resourceId, datastore.sha256]));
  loadInBackground(em, candidates.filter(({ resource, sha256 }) => held.get(resource.id) !== sha256).map(({ resource }) => resource), settings, log);
}
