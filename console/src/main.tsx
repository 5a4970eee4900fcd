/**
 * The web console: the ministry's live dashboard, the live event feed, the
 * agencies' reply desk and the dataset pages, on hash routes so the gateway
 * serves one page.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Dashboard } from "./pages/dashboard";
import { AgencyPage } from "./pages/agency";
import { DatasetList, DatasetPage } from "./pages/datasets";
import { EventFeed } from "./pages/events";
import { ReplyDesk } from "./pages/desk";
import { SignIn } from "./pages/signin";
import { dictionaries, LangContext, type Lang } from "./i18n";
import { SessionContext } from "./hooks";
import { agencyName } from "./agencies";
import { ANONYMOUS, AGENCY_ROLES, loadSession, saveSession, type Session } from "./session";
import "./style.css";

interface Route {
  path: string[];
  params: URLSearchParams;
}

function currentRoute(): Route {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  return { path: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query ?? "") };
}

function page(route: Route, onSession: (session: Session) => void) {
  const [first, second, third] = route.path;
  switch (first) {
    case undefined:
      return <Dashboard asOf={route.params.get("asOf") ?? undefined} />;
    case "events":
      return <EventFeed />;
    case "desk":
      return <ReplyDesk />;
    case "datasets":
      return second && third ? <DatasetPage agencyCode={second} id={third} /> : <DatasetList />;
    case "agencies":
      return <AgencyPage code={second} asOf={route.params.get("asOf") ?? undefined} />;
    case "signin":
      return <SignIn onSession={onSession} />;
    default:
      return <p>404</p>;
  }
}

function App() {
  const [route, setRoute] = useState(currentRoute);
  const [session, setSession] = useState(loadSession);
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem("govgraph.lang") as Lang) || "zh-TW");
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === "en" ? "en" : "zh-Hant-TW";
    localStorage.setItem("govgraph.lang", lang);
    document.title = dictionaries[lang].appName;
  }, [lang]);
  const words = dictionaries[lang];
  const onSession = (next: Session) => {
    saveSession(next);
    setSession(next);
  };
  const nav = [
    ["#/", words.navDashboard],
    ["#/events", words.navEvents],
    ...(AGENCY_ROLES.has(session.role) ? [["#/desk", words.navDesk]] : []),
    ["#/datasets", words.navDatasets],
  ];
  const here = `#/${route.path[0] ?? ""}`;
  return (
    <LangContext.Provider value={lang}>
      <SessionContext.Provider value={session}>
        <header>
          <a class="brand" href="#/">
            GovGraph {words.appName}
          </a>
          <nav aria-label={words.appName}>
            {nav.map(([href, label]) => (
              <a key={href} href={href} aria-current={here === href ? "page" : undefined}>
                {label}
              </a>
            ))}
          </nav>
          <div class="who">
            <span>
              {words.signedInAs}: {words.roles[session.role]}
              {session.agencyCode ? ` · ${agencyName(session.agencyCode, lang)}` : ""}
            </span>
            {session.token ? (
              <button type="button" onClick={() => onSession(ANONYMOUS)}>
                {words.signOut}
              </button>
            ) : (
              <a href="#/signin">{words.navSignIn}</a>
            )}
            <button type="button" lang={lang === "en" ? "zh-Hant-TW" : "en"} onClick={() => setLang(lang === "en" ? "zh-TW" : "en")}>
              {words.switchLang}
            </button>
          </div>
        </header>
        <main>{page(route, onSession)}</main>
      </SessionContext.Provider>
    </LangContext.Provider>
  );
}

render(<App />, document.getElementById("app")!);
