// Checks that the reference push policies are the defaults api/clauses.yaml documents for each
// open question (zero-counts, unread-counts, pusher-url, legacy-notification-id,
// legacy-mention-rules), so a spec author reading the catalogue learns what the code does;
// assumes the cwd is the repo root and each catalogue default opens with its keyword and a colon.
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../../scripts/clauses-catalogue.ts";
import { DEFAULT_PUSH_POLICIES, type PushPolicies } from "../../../src/engine/push/policy.ts";

/** Catalogue policy name → the policy field and the value each catalogue keyword stands for. */
const FIELDS: Record<string, { field: keyof PushPolicies; values: Record<string, PushPolicies[keyof PushPolicies]> }> = {
  "zero-counts": { field: "zeroCounts", values: { omit: "omit", send: "send" } },
  "unread-counts": { field: "unreadCounts", values: { messages: "messages", rooms: "rooms" } },
  "pusher-url": { field: "pusherUrl", values: { "allow-list": "allow-list", "https-only": "https-only", any: "any" } },
  "legacy-notification-id": { field: "legacyNotificationId", values: { omit: false, send: true } },
  "legacy-mention-rules": { field: "legacyMentionRules", values: { off: false, on: true } },
};

describe("push policy defaults", () => {
  it("are the defaults the clause catalogue documents", () => {
    const policies = new Map(loadCatalogue("api/clauses.yaml").policies.map((p) => [p.name, p]));
    for (const [name, { field, values }] of Object.entries(FIELDS)) {
      const keyword = policies.get(name)?.default.split(":")[0];
      expect(keyword !== undefined && keyword in values, `${name}: ${keyword}`).toBe(true);
      expect(DEFAULT_PUSH_POLICIES[field], name).toBe(values[keyword ?? ""]);
    }
  });
});
