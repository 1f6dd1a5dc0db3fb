/** PKS1 slips: layout, check (kiosk) and make (seller). */
export { parseSlip, slipText, SLIP_PREFIX, MAX_PLAINTEXT, type ParsedSlip } from './slip-bytes.js';
export { checkSlip, type CheckOptions, type SlipCheck, type SlipFailure, type SlipKeys } from './slip-check.js';
export { makeSlip, type MakeSlipOptions, type SellerSigner } from './slip-make.js';
export { readSlipPlaintext, parseDue, type Due, type SlipPlaintext } from './slip-plaintext.js';
