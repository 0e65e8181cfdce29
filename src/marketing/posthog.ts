// Server-side capture to PostHog (spec §17.6: PostHog is the analytics
// service) with posthog-node: EVA's own marketing events (an email sent, an
// unsubscribe) go to the venture's PostHog project so funnels there see them
// beside the site's events. Configured by EVA_POSTHOG_KEY and EVA_POSTHOG_HOST
// (default PostHog's EU cloud); without a key nothing is captured.
import { PostHog } from "posthog-node";

export interface Capture {
  capture(event: {
    distinctId: string;
    event: string;
    properties?: Record<string, unknown>;
    uuid?: string;
  }): Promise<void>;
  close(): Promise<void>;
}

export function posthogCapture(env: NodeJS.ProcessEnv = process.env): Capture | null {
  const key = env.EVA_POSTHOG_KEY;
  if (!key) return null;
  const client = new PostHog(key, {
    host: env.EVA_POSTHOG_HOST ?? "https://eu.i.posthog.com",
    flushAt: 1,
    flushInterval: 0,
    disableGeoip: true,
  });
  return {
    async capture(event) {
      await client.captureImmediate({
        distinctId: event.distinctId,
        event: event.event,
        ...(event.properties ? { properties: event.properties } : {}),
        ...(event.uuid ? { uuid: event.uuid } : {}),
      });
    },
    close: () => client.shutdown(),
  };
}
