/**
 * What the metrics process shares between its projection and its resolvers:
 * the feed of progress changes (progressChanged), and the advisory panel's
 * figures, read from the advisory subgraph through the gateway and kept for
 * a short while so a dashboard's every request does not cost a second one.
 */
import { createPubSub } from "@graphql-yoga/subscription";
import type { Logger } from "../../contract/logger";
import type { ProgressChange } from "./follower";
import type { SystemClient } from "../../contract/system-client";
import { askGateway } from "./gateway-client";

export const progressFeed = createPubSub<{ progressChanged: [ProgressChange] }>();

export interface PanelFigures {
  civilSocietyPanelMembers: number;
  panelMeetingsHeld: number;
}

const PANEL_TTL_MS = 30_000;

export class PanelReader {
  private gateway?: { url: string; system: SystemClient; log: Logger };
  private readonly cache = new Map<string, { at: number; figures: Promise<PanelFigures> }>();

  configure(url: string, system: SystemClient, log: Logger): void {
    this.gateway = { url, system, log };
    this.cache.clear();
  }

  /** Civil-society members of the current term, and meetings held in `year` up to `asOf`. */
  figures(year: number, asOf: string): Promise<PanelFigures> {
    const key = `${year}|${asOf}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < PANEL_TTL_MS) return cached.figures;
    const figures = this.read(year, asOf);
    this.cache.set(key, { at: Date.now(), figures });
    return figures;
  }

  private async read(year: number, asOf: string): Promise<PanelFigures> {
    const gateway = this.gateway;
    if (!gateway) return { civilSocietyPanelMembers: 0, panelMeetingsHeld: 0 };
    const members = askGateway<{ currentPanelTerm: { composition: { civilSocietyRepresentatives: number } } | null }>(
      gateway.system,
      gateway.url,
      "{ currentPanelTerm { composition { civilSocietyRepresentatives } } }",
    ).then((data) => data.currentPanelTerm?.composition.civilSocietyRepresentatives ?? 0);
    const meetings = askGateway<{ panelMeetings: { heldOn: string }[] }>(
      gateway.system,
      gateway.url,
      "query($from: Date, $to: Date) { panelMeetings(from: $from, to: $to) { heldOn } }",
      { from: `${year}-01-01`, to: asOf },
    ).then((data) => data.panelMeetings.filter((meeting) => meeting.heldOn <= asOf).length);
    const [civilSocietyPanelMembers, panelMeetingsHeld] = await Promise.all(
      [members, meetings].map((figure) =>
        figure.catch((error: unknown) => {
          // Kept like an answer for the TTL: an unavailable advisory subgraph costs one call per TTL, not one per request.
          gateway.log.warn({ err: error }, "the advisory panel's figures are unavailable; counted as 0 until it answers");
          return 0;
        }),
      ),
    );
    return { civilSocietyPanelMembers, panelMeetingsHeld };
  }
}

export const panelReader = new PanelReader();
