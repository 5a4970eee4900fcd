/** Small pieces every page uses: a query that can be run again, and an error shown in words. */
import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useId, useState } from "preact/hooks";
import { AGENCIES, agencyName } from "./agencies";
import { request, type ApiError } from "./api";
import { describeError, useWords } from "./i18n";
import { ANONYMOUS, type Session } from "./session";

export const SessionContext = createContext<Session>(ANONYMOUS);
export const useSession = () => useContext(SessionContext);

export interface QueryState<T> {
  data?: T | null;
  errors?: ApiError[];
  loading: boolean;
  reload(): void;
}

export function useQuery<T>(operation: TrustedOperation, variables: Record<string, unknown>, skip = false): QueryState<T> {
  const session = useSession();
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data?: T | null; errors?: ApiError[]; loading: boolean }>({ loading: !skip });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (skip) return;
    let current = true;
    void request<T>(session, operation, variables).then((result) => {
      if (current) setState({ data: result.data, errors: result.errors, loading: false });
    });
    return () => {
      current = false;
    };
  }, [operation.id, key, session.token, generation, skip]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}

export function Errors({ errors }: { errors?: ApiError[] }) {
  const words = useWords();
  if (!errors?.length) return null;
  return (
    <div class="error" role="alert">
      {errors.map((error, i) => (
        <p key={i}>{describeError(words, error)}</p>
      ))}
    </div>
  );
}

/** A labelled control: the label names the control alone (a wrapping label would also read out every option). */
export function Field({ label, children }: { label: string; children: (id: string) => ComponentChildren }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id)}
    </div>
  );
}

/** An agency picker over the directory; `anyLabel` adds a first choice of no agency (""). */
export function AgencySelect({ label, value, onChange, anyLabel }: { label: string; value: string; onChange(code: string): void; anyLabel?: string }) {
  const words = useWords();
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          {anyLabel !== undefined && <option value="">{anyLabel}</option>}
          {AGENCIES.map((entry) => (
            <option key={entry.code} value={entry.code}>
              {agencyName(entry.code, words.lang)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
