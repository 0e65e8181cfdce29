// The Chairman's dashboard: a client of EVA's GraphQL API only (see api.ts).
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { clearSession, gql, loadSession, redeemCode, type Session, saveSession, whenUnauthorized } from "./api.ts";
import { DecisionPage } from "./pages/decision.tsx";
import { DependenciesPage } from "./pages/dependencies.tsx";
import { EventsPage } from "./pages/events.tsx";
import { NotificationsPage } from "./pages/notifications.tsx";
import { PortfolioPage } from "./pages/portfolio.tsx";
import { QueuePage } from "./pages/queue.tsx";
import { SchedulePage } from "./pages/schedule.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { VenturePage } from "./pages/venture.tsx";
import { navigate, onLinkClick, usePath } from "./router.ts";
import "./style.css";
import { graphql } from "./gql/index.ts";

const SIGN_OUT = graphql(`mutation SignOut($jti: UUID!) { revokeToken(input: { pJti: $jti }) { clientMutationId } }`);

/** The one-time code from the link's fragment, removed from the address bar at once (history.replaceState). */
function takeCode(): string | null {
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get("code");
  if (code !== null) history.replaceState(null, "", location.pathname + location.search);
  return code;
}

async function signOut(session: Session): Promise<void> {
  // The Chairman's session token is revoked server-side too; a viewer's simply ends here.
  if (session.role === "chairman" && session.jti) {
    await gql(SIGN_OUT, {
      jti: session.jti,
    }).catch(() => {});
  }
  clearSession();
}

function App(props: { initial: Session | null; problem: string | null }) {
  const [session, setSession] = useState<Session | null>(props.initial);
  const [problem, setProblem] = useState<string | null>(props.problem);
  const path = usePath();
  useEffect(() => {
    whenUnauthorized(() => {
      setSession(null);
      setProblem("Your session ended (expired or revoked): sign in again.");
    });
  }, []);

  if (!session) {
    return (
      <main id="main">
        <SignInPage
          problem={problem}
          onSession={(s) => {
            saveSession(s);
            setProblem(null);
            setSession(s);
          }}
        />
      </main>
    );
  }
  const canDecide = session.role === "chairman";
  const decision = /^\/decisions\/([0-9a-f-]{36})$/i.exec(path)?.[1];
  const venture = /^\/ventures\/([0-9a-f-]{36})$/i.exec(path)?.[1];
  return (
    <>
      <header class="top">
        <a class="brand" href="/" onClick={onLinkClick}>
          EVA
        </a>
        <nav aria-label="Pages">
          <a href="/" onClick={onLinkClick} aria-current={path === "/" ? "page" : undefined}>
            Decisions
          </a>
          <a href="/portfolio" onClick={onLinkClick} aria-current={path === "/portfolio" ? "page" : undefined}>
            Portfolio
          </a>
          <a href="/dependencies" onClick={onLinkClick} aria-current={path === "/dependencies" ? "page" : undefined}>
            Dependencies
          </a>
          <a href="/events" onClick={onLinkClick} aria-current={path === "/events" ? "page" : undefined}>
            Events
          </a>
          <a href="/notifications" onClick={onLinkClick} aria-current={path === "/notifications" ? "page" : undefined}>
            Notifications
          </a>
          <a href="/schedule" onClick={onLinkClick} aria-current={path === "/schedule" ? "page" : undefined}>
            Schedule
          </a>
        </nav>
        <span class="who" data-testid="role">
          Signed in as{" "}
          {session.role === "chairman"
            ? "the Chairman"
            : session.role === "viewer"
              ? "a viewer (read-only)"
              : "an unknown role"}
        </span>
        <button
          type="button"
          class="sign-out"
          onClick={async () => {
            await signOut(session);
            setSession(null);
            navigate("/");
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        {decision ? (
          <DecisionPage id={decision} canDecide={canDecide} />
        ) : venture ? (
          <VenturePage id={venture} canDecide={canDecide} />
        ) : path === "/portfolio" ? (
          <PortfolioPage />
        ) : path === "/events" || path.startsWith("/events/") ? (
          <EventsPage />
        ) : path === "/dependencies" ? (
          <DependenciesPage />
        ) : path === "/schedule" ? (
          <SchedulePage />
        ) : path === "/notifications" ? (
          <NotificationsPage canDecide={canDecide} />
        ) : path === "/" ? (
          <QueuePage canDecide={canDecide} />
        ) : (
          <section aria-labelledby="missing-title">
            <h1 id="missing-title">Not here yet</h1>
            <p>
              This page ({path}) is not part of the dashboard yet.{" "}
              <a href="/" onClick={onLinkClick}>
                Go to the decision queue
              </a>
              .
            </p>
          </section>
        )}
      </main>
    </>
  );
}

async function boot(): Promise<void> {
  const code = takeCode();
  let problem: string | null = null;
  if (code) {
    try {
      saveSession(await redeemCode(code));
    } catch (e) {
      problem = (e as Error).message;
    }
  }
  const root = document.getElementById("app");
  if (root) render(<App initial={loadSession()} problem={problem} />, root);
}

void boot();
