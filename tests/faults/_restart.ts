/**
 * Settings shared by the tests that kill Bay and restart it on the same data
 * directory.
 *
 * @module
 */

/**
 * Heartbeats looser than the e2e fixture's (500 ms / 2 s): nothing in those
 * tests is about heartbeats, and a restarted Bay adopting many ships at once
 * on two busy cores must not miss a deadline.
 */
export const RELAXED_HEARTBEATS = {
  BAY_HEARTBEAT_INTERVAL_MS: "1000",
  BAY_HEARTBEAT_TIMEOUT_MS: "5000",
};
