/** The reference seller (docs/seller.md). */
export { ReferenceSeller, type ReferenceSellerOptions, type SellerConnectOptions, type SellerEvents } from './seller.js';
export { SellerError, parseKioskIdentity, type KioskIdentity, type SellerIdentity } from './keys.js';
export type { IssueOptions, Issued } from './issue.js';
export type { KioskRow, ProofCheck, RecordedEvent, SellerParcel, SellerParcelState } from './db.js';
export type { ProofProblem, VerifyHandled } from './serve.js';
export type { VerifyAnswer } from './checks.js';
export { makeLabelPng } from './label.js';
