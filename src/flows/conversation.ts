import type { Bill, EscrowAnswer, ReturnReason } from '../../drivers/cash/contract.js';
import type { CardInfo } from '../../drivers/card/contract.js';
import type { Key } from '../../drivers/keypad/contract.js';
import type { Screen } from '../domain/screens.js';
import type { DoorNews } from './doors.js';

export type ConversationKind = 'recipient' | 'card' | 'sign-in' | 'courier' | 'clerk' | 'operator';

/**
 * What a conversation may do with the kiosk while it owns it. Given by the
 * arbiter at start; dead once the conversation has ended (every call is then
 * ignored), so a late device answer cannot touch the next person's screen.
 */
export interface Session {
  /** Shows a screen and restarts the conversation's timeout (unless held). */
  show(s: Screen): void;
  /** While held (a door screen with its door open) the conversation does not time out. */
  hold(on: boolean): void;
  /** The conversation is over: the kiosk goes back to idle. */
  end(): void;
  /** Hands the kiosk to another conversation (a signed-in courier, say); this one ends. */
  handOff(next: StartRequest): void;
  /** Aborted when the conversation ends: device waits it started end with it. */
  readonly signal: AbortSignal;
  readonly alive: boolean;
}

export type StartRequest =
  | { kind: 'recipient'; first: { key: Key } | { scan: string } }
  | { kind: 'card'; info: CardInfo }
  | { kind: 'sign-in'; badge: { role: 'courier' | 'clerk' | 'operator'; id: string } | null }
  | { kind: 'courier'; id: string }
  | { kind: 'clerk'; id: string }
  | { kind: 'operator'; id: string };

/** One person's use of the kiosk: a recipient, a card holder, staff signing in, a courier, a clerk, an operator. */
export interface Conversation {
  readonly kind: ConversationKind;
  /** Without input (and not held) for this long, the conversation ends and the kiosk goes idle. */
  readonly timeoutMs: number;
  key(k: Key): void;
  scan(text: string): void;
  cardIn?(info: CardInfo): void;
  cardOut?(): void;
  /** A bill in escrow: `stack` once recorded, `return`, or null when this conversation is not taking money. */
  escrow?(bill: Bill): EscrowAnswer | null;
  /** A bill this conversation recorded is in the box. */
  stacked?(bill: Bill): void;
  /** A bill went back to the person (a recorded one is taken off again). */
  returned?(bill: Bill, reason: ReturnReason): void;
  door?(n: DoorNews): void;
  /** Called once when the conversation ends, however it ends: stop what it started. */
  ended(): void;
}
