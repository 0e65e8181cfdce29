// The dry-run publisher: what a platform without credentials gets, so the
// offline demo runs. It posts nothing; the dispatch records the exact text
// that would have gone out, with status dry_run and this publisher's label.
import type { OutgoingPost, Platform, PostMetrics, Published, Publisher } from "./types.ts";

export const DRY_RUN_LABEL = "dry_run: not posted (no credentials for this platform)";

export class DryRunPublisher implements Publisher {
  readonly platform: Platform;
  readonly mode = "dry_run" as const;
  readonly host = null;
  readonly idempotent = true;

  constructor(platform: Platform) {
    this.platform = platform;
  }

  async publish(post: OutgoingPost): Promise<Published> {
    return {
      platformPostId: `dry-run:${post.dispatchId}`,
      url: null,
      detail: {
        label: DRY_RUN_LABEL,
        wouldPost: { platform: post.platform, text: post.text, link: post.link ?? null },
      },
    };
  }

  async reconcile(post: OutgoingPost): Promise<Published | null> {
    return this.publish(post);
  }

  /** Nothing was posted, so nothing is counted: every metric stays unknown. */
  async fetchMetrics(): Promise<Map<string, PostMetrics>> {
    return new Map();
  }
}
