/**
 * Development sign-in: pick a role and an agency and the gateway mints a
 * token with the local secret (it refuses when the platform verifies tokens
 * with an external JWKS). With a real identity provider, paste its token.
 */
import { useState } from "preact/hooks";
import { Field } from "../hooks";
import { AGENCIES } from "../agencies";
import { useWords } from "../i18n";
import { AGENCY_ROLES, ROLES, sessionFromToken, type Role, type Session } from "../session";

export function SignIn({ onSession }: { onSession(session: Session): void }) {
  const words = useWords();
  const [role, setRole] = useState<Role>("MINISTRY_ADMIN");
  const [agencyCode, setAgencyCode] = useState(AGENCIES[0].code);
  const [token, setToken] = useState("");
  const [problem, setProblem] = useState<string>();

  const signIn = async (event: Event) => {
    event.preventDefault();
    const response = await fetch("/console/dev-token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role, ...(AGENCY_ROLES.has(role) ? { agencyCode } : {}) }),
    });
    const body = (await response.json()) as { token?: string; error?: string };
    if (!response.ok || !body.token) {
      setProblem(response.status === 403 ? words.devTokenRefused : (body.error ?? String(response.status)));
      return;
    }
    onSession({ token: body.token, role, ...(AGENCY_ROLES.has(role) ? { agencyCode } : {}) });
    location.hash = AGENCY_ROLES.has(role) ? "#/desk" : "#/";
  };

  const useToken = (event: Event) => {
    event.preventDefault();
    const session = sessionFromToken(token.trim());
    if (typeof session === "string") {
      setProblem(`${words.token}: ${session}`);
      return;
    }
    onSession(session);
    location.hash = "#/";
  };

  return (
    <div class="narrow">
      <h1>{words.signInTitle}</h1>
      <p>{words.signInHelp}</p>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <form onSubmit={signIn} class="card">
        <Field label={words.role}>
          {(id) => (
            <select id={id} value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {words.roles[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {AGENCY_ROLES.has(role) && (
          <Field label={words.agency}>
            {(id) => (
              <select id={id} value={agencyCode} onChange={(e) => setAgencyCode((e.target as HTMLSelectElement).value)}>
                {AGENCIES.map((agency) => (
                  <option key={agency.code} value={agency.code}>
                    {words.lang === "en" ? agency.nameEn : agency.name} ({agency.code})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <button type="submit">{words.signIn}</button>
      </form>
      <h2>{words.tokenTitle}</h2>
      <p>{words.tokenHelp}</p>
      <form onSubmit={useToken} class="card">
        <Field label={words.token}>
          {(id) => (
            <textarea id={id} rows={3} value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} />
          )}
        </Field>
        <button type="submit">{words.useToken}</button>
      </form>
    </div>
  );
}
