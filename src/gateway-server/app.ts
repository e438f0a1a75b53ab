/**
 * The push gateway's HTTP surface, as an `App` (request → response, no socket):
 *
 * - `POST /_matrix/push/v1/notify` (GW-12): the body goes to the engine as it is, so the
 *   engine's own check answers a bad body (GW-13, GW-22: 400 `M_BAD_JSON` / `M_MISSING_PARAM`).
 *   Only the current body is served; the 2015 body (`notify2015` in the route table) shares the
 *   path and is not, though the engine can dedupe on its `id` under the GW-3 policy.
 * - Any other path: 404, another method on a served path: 405, both `M_UNRECOGNIZED` (GW-15,
 *   GW-16). That includes `GET /_matrix/push/v1/notify`: the UnifiedPush discovery answer
 *   (`{"unifiedpush":{"gateway":"matrix"}}`) is not given, because the spec defines no GET there
 *   and the gateway is a Matrix push gateway, not a UnifiedPush one.
 * - `GET /_courier/deliveries[?pushkey=K]`: Courier-specific, not Matrix. What the providers were
 *   given since the process started, newest last (a bounded record, see `deliveries.ts`):
 *   `{"deliveries": [{seq, ts, provider, app_id, pushkey, event_id?, notification}], "total": N}`
 *   where `total` counts every delivery recorded, including those no longer kept.
 *
 * Bodies over the limit (413), JSON nested too deep (400) and text that is not JSON (400
 * `M_NOT_JSON`) are refused by the node:http adapter before they get here.
 */
import { notJson, unrecognized } from "../gateway/index.ts";
import { type App, createApp, type Handler } from "../http/app.ts";
import type { RouteSpec } from "../http/router.ts";
import { operations } from "../../models/index.ts";
import type { GatewayRuntime } from "./runtime.ts";

export const DELIVERIES_PATH = "/_courier/deliveries";

const DELIVERIES_ROUTE: RouteSpec = { operationId: "courierDeliveries", method: "GET", basePath: "/_courier", path: "/deliveries" };

const NOTIFY_ROUTES: readonly RouteSpec[] = operations.filter((o) => o.operationId === "notify");

export function gatewayApp(runtime: GatewayRuntime): App {
  const notify: Handler = ({ request, body }) =>
    // An empty body is no JSON at all; the adapter passes it on as undefined.
    body === undefined ? notJson("the request has no body") : runtime.notify(request.requestId, body);
  const courierDeliveries: Handler = ({ request }) => {
    const pushkey = request.query.get("pushkey");
    const deliveries = runtime.deliveries.list(pushkey === null ? {} : { pushkey });
    return { status: 200, body: { deliveries, total: runtime.deliveries.total } };
  };
  return createApp({
    routes: [...NOTIFY_ROUTES, DELIVERIES_ROUTE],
    // The engine checks the notify body itself (it owns the Matrix errors for it).
    validators: {},
    handlers: { notify, courierDeliveries },
    unrecognized: (status, request, allowed) => {
      const answer = unrecognized(status, request.method, request.path);
      return allowed.length === 0 ? answer : { ...answer, headers: { Allow: allowed.join(", ") } };
    },
  });
}
