// Signing in: the link `npm start` prints carries a one-time code in its
// fragment (#code=…, never sent to a server or kept in a log); main.tsx
// exchanges it before this page shows. Otherwise the Chairman (or a viewer)
// pastes a token minted with `npx eva chairman token`.
import { useState } from "preact/hooks";
import { type Session, sessionFromToken } from "../api.ts";

export function SignInPage(props: { problem: string | null; onSession: (s: Session) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(props.problem);
  function submit(event: Event) {
    event.preventDefault();
    try {
      props.onSession(sessionFromToken(token.trim()));
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <section aria-labelledby="sign-in-title" class="sign-in">
      <h1 id="sign-in-title">Sign in to EVA</h1>
      <p>
        Open the <strong>Dashboard:</strong> link that <code>npm start</code> printed: it signs you in once. Or paste a
        token minted with <code>npx eva chairman token</code> (<code>--role viewer</code> for read-only).
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={submit}>
        <label for="token">Token</label>
        <textarea
          id="token"
          rows={4}
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
