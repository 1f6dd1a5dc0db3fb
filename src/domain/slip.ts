/** PKS1 slips: layout, check (kiosk) and make (seller). */
export {
  MAX_PLAINTEXT,
  parseSlip,
  SLIP_PREFIX,
  slipText,
  writeSlipAad,
  type ParsedSlip,
  type SlipHeader,
} from './slip-bytes.js';
export { checkOpenedSlip, checkSlip, openSlip, stillTrusted, type CheckOptions, type OpenedSlip, type SlipCheck, type SlipFailure, type SlipKeys, type SlipOpening } from './slip-check.js';
export { makeSlip, type MakeSlipOptions, type SellerSigner } from './slip-make.js';
export { readSlipPlaintext, parseDue, type Due, type SlipPlaintext } from './slip-plaintext.js';
