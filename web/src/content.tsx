// An artifact's content (JSON) for a person: objects as label/value lists,
// lists of plain values as bullet lists, lists of like records as tables,
// keys turned into words. Nothing is left out silently: a long list says how
// many more it holds, and anything nested too deep is shown as its JSON.
import type { ComponentChildren } from "preact";

const MAX_ITEMS = 50;
const MAX_DEPTH = 5;

/** "keyAssumptions" / "key_assumptions" → "Key assumptions". */
export function words(key: string): string {
  const w = key
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isPlain = (v: Json): v is null | boolean | number | string => v === null || typeof v !== "object";
const isRecord = (v: Json): v is { [k: string]: Json } => v !== null && typeof v === "object" && !Array.isArray(v);

function scalar(v: null | boolean | number | string): string {
  if (v === null) return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return v.toLocaleString(undefined, { maximumFractionDigits: 4 });
  return v;
}

function more(n: number): ComponentChildren {
  return n > MAX_ITEMS ? <p class="muted">… and {n - MAX_ITEMS} more</p> : null;
}

function List(props: { items: Json[]; depth: number }) {
  const items = props.items;
  if (items.length === 0) return <span class="muted">none</span>;
  if (items.every(isPlain))
    return (
      <>
        <ul>
          {items.slice(0, MAX_ITEMS).map((v, i) => (
            <li key={i}>{scalar(v)}</li>
          ))}
        </ul>
        {more(items.length)}
      </>
    );
  // Records of plain values with the same few keys: a table.
  if (items.every(isRecord)) {
    const keys = [...new Set(items.flatMap((r) => Object.keys(r)))];
    if (keys.length <= 6 && items.every((r) => Object.values(r).every(isPlain)))
      return (
        <>
          <table class="queue">
            <thead>
              <tr>
                {keys.map((k) => (
                  <th scope="col" key={k}>
                    {words(k)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.slice(0, MAX_ITEMS).map((r, i) => (
                <tr key={i}>
                  {keys.map((k) => (
                    <td key={k}>{k in r ? scalar(r[k] as null | boolean | number | string) : "—"}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {more(items.length)}
        </>
      );
  }
  return (
    <>
      <ol>
        {items.slice(0, MAX_ITEMS).map((v, i) => (
          <li key={i}>
            <Value value={v} depth={props.depth + 1} />
          </li>
        ))}
      </ol>
      {more(items.length)}
    </>
  );
}

function Value(props: { value: Json; depth: number }) {
  const v = props.value;
  if (isPlain(v)) return <>{scalar(v)}</>;
  if (props.depth >= MAX_DEPTH) return <code>{JSON.stringify(v)}</code>;
  if (Array.isArray(v)) return <List items={v} depth={props.depth} />;
  const entries = Object.entries(v);
  if (entries.length === 0) return <span class="muted">empty</span>;
  return (
    <dl>
      {entries.map(([k, x]) => (
        <div key={k} class="pair">
          <dt>{words(k)}</dt>
          <dd>
            <Value value={x} depth={props.depth + 1} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** An artifact's content, readable. */
export function Content(props: { value: unknown }) {
  return (
    <div class="content">
      <Value value={props.value as Json} depth={0} />
    </div>
  );
}
