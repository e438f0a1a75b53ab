/** The push gateway's public face: what the HTTP shell, the simulator and tests import. */
export { nextDelay } from "./backoff.ts";
export type { AppConfig, GatewayConfig, RetryConfig, SimulatedOutcome } from "./config.ts";
export { gatewayConfigFrom, parseGatewayConfig, sandboxConfig } from "./config.ts";
export type { DeliveryEvent, DeliveryFinal } from "./delivery.machine.ts";
export { deliveryMachine } from "./delivery.machine.ts";
export type { GatewayEffect, LogCode } from "./effects.ts";
export type { Applied, DriverOutcome, GatewayCommand, GatewayOutcome, NotifyCommand } from "./engine.ts";
export { apply, createGateway, snapshotGateway } from "./engine.ts";
export type { MatrixError, NotifyOutcome, UnrecognizedOutcome } from "./matrix-errors.ts";
export { invalidNotifyBody, notJson, unrecognized } from "./matrix-errors.ts";
export type { NotifyBody, NotifyDevice, NotifyNotification } from "./notify-body.ts";
export { checkNotifyBody } from "./notify-body.ts";
export type { ProviderResult, ProviderType } from "./providers/index.ts";
export type { Gateway, GatewayState } from "./state.ts";
