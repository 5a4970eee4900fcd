/**
 * The live event feed: feedback and catalogue events from every agency's
 * shard as they happen, opening with each agency's latest few (`recent`), so
 * the page shows what just happened. After a dropped connection it
 * resubscribes from the last cursor of each stream, so the events it missed
 * arrive, once each.
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { openLive, type ApiError, type ConnectionState } from "../api";
import { agencyName } from "../agencies";
import { AgencySelect, Errors, useSession, Field } from "../hooks";
import { useWords } from "../i18n";
import ops from "../operations/events.graphql";
import { LiveBadge } from "./dashboard";

interface PlatformEvent {
  cursor: string;
  agencyCode: string | null;
  type: string;
  subjectId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

/** Marks where a stream starts: it carries a cursor, not something that happened. */
const STREAM_POSITION = "STREAM_POSITION";
const KEEP = 500;
/** Each agency's latest events of each stream the page opens with. */
const RECENT = 10;

type ShownEvent = PlatformEvent & { stream: string };

/** Newest first, by when it happened: the opening events arrive agency by agency, not in time order. */
function withEvent(list: ShownEvent[], event: ShownEvent): ShownEvent[] {
  return [event, ...list].sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt)).slice(0, KEEP);
}

/**
 * What an event is about, as a person knows it: its title, which every event carries; an event recorded before
 * events carried one, the dataset's identifier (a quality check), else its subject's id.
 */
function subjectOf(event: PlatformEvent): string {
  const { title, identifier } = event.payload;
  if (typeof title === "string") return title;
  return typeof identifier === "string" ? identifier : event.subjectId;
}

export function EventFeed() {
  const words = useWords();
  const session = useSession();
  const [events, setEvents] = useState<ShownEvent[]>([]);
  const [state, setState] = useState<ConnectionState>("connecting");
  const [errors, setErrors] = useState<ApiError[]>([]);
  const [agency, setAgency] = useState("");
  const [type, setType] = useState("");

  useEffect(() => {
    const stream = (field: "feedbackEvents" | "catalogueEvents", operation: TrustedOperation) => ({
      operation,
      variables: { recent: RECENT },
      next: (data: Record<string, unknown>) => {
        const event = data[field] as PlatformEvent;
        if (event.type !== STREAM_POSITION) setEvents((list) => withEvent(list, { ...event, stream: field }));
        return event.cursor;
      },
      // A shard that cannot answer is named; the other shards' events keep coming.
      error: (problems: ApiError[]) => setErrors(problems),
    });
    return openLive(session, [stream("feedbackEvents", ops.FeedbackEvents), stream("catalogueEvents", ops.CatalogueEvents)], (next) => {
      setState(next);
      if (next === "live") setErrors([]);
    });
  }, [session.token]);

  const kindName = (type: string) => words.eventKinds[type] ?? type;
  const types = useMemo(() => [...new Set(events.map((event) => event.type))].sort((a, b) => kindName(a).localeCompare(kindName(b), words.lang)), [events, words.lang]);
  const shown = events.filter((event) => (!agency || event.agencyCode === agency) && (!type || event.type === type));
  const time = new Intl.DateTimeFormat(words.lang, { timeZone: "Asia/Taipei", dateStyle: "short", timeStyle: "medium" });

  return (
    <div>
      <div class="title-row">
        <h1>{words.eventsTitle}</h1>
        <LiveBadge state={state} />
      </div>
      <Errors errors={errors} />
      <div class="filters">
        <AgencySelect label={words.filterAgency} value={agency} onChange={setAgency} anyLabel={words.all} />
        <Field label={words.filterType}>
          {(id) => (
            <select id={id} value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
              <option value="">{words.all}</option>
              {types.map((name) => (
                <option key={name} value={name}>
                  {kindName(name)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {shown.length === 0 ? (
        <p>{words.noEvents}</p>
      ) : (
        <ol class="events" aria-live="polite">
          {shown.map((event) => (
            <li key={event.cursor + event.stream} data-type={event.type} data-agency={event.agencyCode ?? ""}>
              <time dateTime={event.occurredAt}>{time.format(new Date(event.occurredAt))}</time>
              <span class="tag">{agencyName(event.agencyCode, words.lang)}</span>
              <strong>{kindName(event.type)}</strong>
              <span class="muted">{subjectOf(event)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
