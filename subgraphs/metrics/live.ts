/**
 * What the metrics process shares between its projection and its resolvers:
 * the feed of progress changes (progressChanged), fed by watching metrics'
 * own outbox, and the advisory panel's figures, read from the advisory
 * subgraph through the gateway and kept for a short while so a dashboard's
 * every request does not cost a second one.
 */
import { createPubSub } from "@graphql-yoga/subscription";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Stoppable } from "../../contract/jobs";
import type { Logger } from "../../contract/logger";
import type { OutboxFeed } from "../kit/outbox-feed";
import type { SystemClient } from "../../contract/system-client";
import { ANNOUNCEMENT } from "./store";
import { meetingsHeld, type Period } from "./domain";
import { todayInTaipei } from "../kit/days";
import { askGateway } from "./gateway-client";

export interface ProgressChange {
  agencyCode: string;
  at: Date;
  cause: string;
}

export const progressFeed = createPubSub<{ progressChanged: [ProgressChange] }>();

/**
 * Reads metrics' own outbox from now on (whichever replica's projection
 * committed the change, every replica reads it): first drops the kept
 * answers the change touches, then tells this process's progressChanged
 * subscribers, so a subscriber that asks again reads the new figures.
 * A lost database connection is retried from the last event read. It ends
 * when the outbox feed closes (the instance's stop, after its jobs').
 */
export function watchProgress(events: OutboxFeed, em: EntityManager, answers: { invalidate(agencyCode: string | null): void }, log: Logger): Stoppable {
  const announced = new Set<string>(Object.values(ANNOUNCEMENT));
  let stopped = false;
  let after: string | null = null;
  void (async () => {
    while (!stopped) {
      try {
        for await (const event of events.stream(em, after, (row) => announced.has(row.type))) {
          after = event.cursor;
          if (stopped) return;
          switch (event.type) {
            case ANNOUNCEMENT.PROJECTION_RESET:
              answers.invalidate(null);
              break;
            case ANNOUNCEMENT.TARGET_SET:
              answers.invalidate(String(event.payload.agencyCode));
              break;
            case ANNOUNCEMENT.PROGRESS_CHANGED: {
              const agencyCode = String(event.payload.agencyCode);
              answers.invalidate(agencyCode);
              progressFeed.publish("progressChanged", { agencyCode, at: event.occurredAt, cause: String(event.payload.cause) });
            }
          }
        }
        return;
      } catch (error) {
        log.warn({ err: error }, "reading the projection's changes failed; reading again from the last one in a second");
        await new Promise((resolveDelay) => setTimeout(resolveDelay, 1000).unref());
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
    },
  };
}

export interface PanelFigures {
  civilSocietyPanelMembers: number;
  panelMeetingsHeld: number;
}

/** What metrics needs of the advisory panel: the current term's civil-society members, and the day of every meeting, held or scheduled. */
interface PanelState {
  civilSocietyPanelMembers: number;
  meetingDays: string[];
}

/** How long the panel's state is kept; a failed read, only briefly (the gateway may simply not be up yet). */
const PANEL_TTL_MS = 30_000;
const PANEL_FAILURE_TTL_MS = 2_000;

export class PanelReader {
  private gateway?: { url: string; system: SystemClient; log: Logger };
  private cached?: { expiresAt: number; state: Promise<PanelState> };

  configure(url: string, system: SystemClient, log: Logger): void {
    this.gateway = { url, system, log };
    this.cached = undefined;
  }

  /** Civil-society members of the current term, and meetings held in the period (by today). 0 while the panel cannot be read (logged). */
  async figures(period: Period): Promise<PanelFigures> {
    const state = await this.state().catch((error: unknown) => {
      this.gateway?.log.warn({ err: error }, "the advisory panel's figures are unavailable; counted as 0 until it answers");
      return { civilSocietyPanelMembers: 0, meetingDays: [] };
    });
    return {
      civilSocietyPanelMembers: state.civilSocietyPanelMembers,
      panelMeetingsHeld: meetingsHeld(state.meetingDays, todayInTaipei()).filter((day) => period.from <= day && day <= period.to).length,
    };
  }

  /** The day of every panel meeting held by today, in order; fails with the reason when the panel cannot be read. */
  async meetingDays(): Promise<string[]> {
    return meetingsHeld((await this.state()).meetingDays, todayInTaipei());
  }

  /** Read at most once per TTL, failures included: an unavailable advisory subgraph costs a call every few seconds, not one per request. */
  private state(): Promise<PanelState> {
    if (this.cached && Date.now() < this.cached.expiresAt) return this.cached.state;
    const state = this.read();
    const cached = { expiresAt: Date.now() + PANEL_TTL_MS, state };
    this.cached = cached;
    state.catch(() => (cached.expiresAt = Math.min(cached.expiresAt, Date.now() + PANEL_FAILURE_TTL_MS)));
    return state;
  }

  private async read(): Promise<PanelState> {
    const gateway = this.gateway;
    if (!gateway) return { civilSocietyPanelMembers: 0, meetingDays: [] };
    const data = await askGateway<{ currentPanelTerm: { composition: { civilSocietyRepresentatives: number } } | null; panelMeetings: { heldOn: string }[] }>(
      gateway.system,
      gateway.url,
      "{ currentPanelTerm { composition { civilSocietyRepresentatives } } panelMeetings { heldOn } }",
    );
    return {
      civilSocietyPanelMembers: data.currentPanelTerm?.composition.civilSocietyRepresentatives ?? 0,
      meetingDays: data.panelMeetings.map((meeting) => meeting.heldOn),
    };
  }
}

export const panelReader = new PanelReader();
