// Display helpers: words for EVA's codes and ages a person reads at a glance.

const TYPE_LABELS: Record<string, string> = {
  venture_review: "Venture review",
  brand_approval: "Brand approval",
  release_decision: "Release decision",
  venture_future: "Venture future",
  dfe_escalation: "DFE escalation",
};

export function decisionTypeLabel(type: string | null): string {
  if (type === null) return "—";
  return TYPE_LABELS[type] ?? type.replace(/_/g, " ");
}

/** "3 min", "5 h", "2 d": how long ago `iso` was. */
export function age(iso: string | null, now = Date.now()): string {
  if (iso === null) return "—";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

export function dateTime(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}
