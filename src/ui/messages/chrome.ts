/** The page's own words (buttons, headings, labels), apart from what a screen says. */
import type { Lang } from './format.js';

export interface Chrome {
  /** The button that switches to the other language, written in that language. */
  switchLang: string;
  switchLangLabel: string;
  contrast: string;
  progress: string;
  stepNumber: string;
  stepCode: string;
  stepPay: string;
  stepDoor: string;
  stepDone: string;
  stepNow: string;
  door: string;
  bankMap: string;
  thisDoor: string;
  keypad: string;
  enter: string;
  back: string;
  entered: string;
  /** How many digits of a secret are typed, read out instead of the dots. */
  enteredDigits: string;
  secondsLeft: string;
  amountDue: string;
  offline: string;
  kioskTitle: string;
}

export const chrome: Record<Lang, Chrome> = {
  en: {
    switchLang: '日本語',
    switchLangLabel: '日本語で表示',
    contrast: 'Large text',
    progress: 'Steps',
    stepNumber: 'Number',
    stepCode: 'Code',
    stepPay: 'Pay',
    stepDoor: 'Door',
    stepDone: '(done)',
    stepNow: '(now)',
    door: 'Compartment',
    bankMap: 'Where your compartment is',
    thisDoor: 'your compartment',
    keypad: 'Keypad',
    enter: 'Enter',
    back: 'Back',
    entered: 'Entered',
    enteredDigits: '{count, plural, one {# digit} other {# digits}}',
    secondsLeft: '{seconds} s',
    amountDue: 'To pay',
    offline: 'Connecting to the kiosk…',
    kioskTitle: 'Parcel pickup',
  },
  ja: {
    switchLang: 'English',
    switchLangLabel: 'Show in English',
    contrast: '大きな文字',
    progress: '手順',
    stepNumber: '番号',
    stepCode: 'コード',
    stepPay: 'お支払い',
    stepDoor: '扉',
    stepDone: '（済）',
    stepNow: '（現在）',
    door: 'ロッカー',
    bankMap: 'ロッカーの位置',
    thisDoor: 'あなたのロッカー',
    keypad: 'テンキー',
    enter: '決定',
    back: '戻る',
    entered: '入力',
    enteredDigits: '{count}桁',
    secondsLeft: '{seconds}秒',
    amountDue: 'お支払い額',
    offline: '端末に接続しています…',
    kioskTitle: '荷物の受け取り',
  },
};
