/** The kiosk's MQTT link to sellers (PKP1), and the embedded broker. */
export { SellerLink, ACKED_KEEP_MS, HANDLED_KEEP_MS, type KioskState, type SellerLinkEvents, type SellerLinkOptions } from './link.js';
export { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './broker.js';
export { LinkError, type LinkErrorCode } from './errors.js';
export type { OnlineRequest, OnlineResult } from './verify.js';
export type { ManifestApplied } from './manifest.js';
export type { AckApplied } from './inbound.js';
export type { Drop } from './drops.js';
export type { TlsFiles } from './socket.js';
export { MqttSession, type SessionOptions, type SessionEvents, type WillMessage } from './session.js';
