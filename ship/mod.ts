/**
 * The ship: the agent inside every sandbox runtime. It dials Bay, speaks the
 * channel protocol and runs Python, shell and file calls as the sandbox user.
 *
 * @module
 */
export { Channel, type ChannelSocket } from "./channel.ts";
export { runShipClient, type ShipClientOptions } from "./client.ts";
export { ShipRuntime, type ShipRuntimeOptions } from "./handlers.ts";
export { ShipError } from "./errors.ts";
export * from "./protocol.ts";
