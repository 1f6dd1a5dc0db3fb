/** 日本語: every screen's words in Japanese (ICU MessageFormat; same select keys as en.ts). */
import type { ScreenId } from '../../domain/screens.js';
import type { Words } from './en.js';

const SIZE = '{size, select, S {小} M {中} L {大} other {{size}}}';

export const ja: Record<ScreenId, Words> = {
  idle: { title: '荷物の受け取り', text: 'お知らせのバーコードをかざすか、お荷物番号を入力して # を押してください。' },
  'enter-txn': { title: 'お荷物番号', text: 'お荷物番号を入力して # を押してください。* で戻ります。' },
  'scan-needed': {
    title: 'バーコードをかざしてください',
    text: '{scanned, select, yes {この番号のお荷物が複数あります。出品者名も入ったバーコードをかざしてください。} other {この番号のお荷物が複数あります。お知らせのバーコードをかざしてください。}}',
  },
  'not-found': { title: 'お荷物が見つかりません', text: 'この番号のお荷物はここにありません。番号を確かめてもう一度お試しいただくか、出品者にお問い合わせください。' },
  'enter-code': {
    title: '受け取りコード',
    text: '{via, select, card {カードを読み取りました。} tag {タグを読み取りました。} other {}}{txn, select, none {} other {お荷物 {txn}：}}{finger, select, yes {指をセンサーに置くか、コードを入力して # を押してください。} other {コードを入力して # を押してください。}}* で戻ります。',
  },
  checking: { title: '確認中', text: 'コードを確認しています…' },
  denied: {
    title: '受け付けられません',
    text: '{reason, select, finger {指紋が一致しません。} bad_format {コードは6〜16桁です。} other {コードが違います。}}{limited, select, yes {{tries, plural, =0 {もう入力できません。} other {あと{tries}回入力できます。}}} other {}}もう一度コードを入力して # を押してください。',
  },
  'locked-out': {
    title: 'ロックされました',
    text: '{who, select, card {コードの誤りが多すぎるため、このカードは使えなくなりました。出品者にお問い合わせください。} courier {PINの誤りが多すぎるため、この配達員アカウントはロックされました。管理者に連絡してください。} staff {PINの誤りが多すぎるため、このスタッフアカウントはロックされました。管理者に連絡してください。} other {コードの誤りが多すぎるため、このお荷物は受け取れません。出品者にお問い合わせください。}}',
  },
  wait: {
    title: 'お待ちください',
    text: '{why, select, kiosk {この端末での入力の誤りが多すぎます。} other {コードの誤りが多すぎます。}}{seconds}秒（{time}まで）お待ちいただいてから、もう一度お試しください。{hasTries, select, yes {その後あと{triesLeft}回入力できます。} other {}}',
  },
  'try-later': { title: '後でお試しください', text: '現在コードを確認できません。しばらくしてからもう一度お試しください。' },
  pay: {
    title: 'お支払い',
    text: '{wrongCurrency, select, none {} other {{wrongCurrency}は使えません。このお荷物のお支払いは{currency}です。}}{paidAny, select, yes {{paid}お支払い済みです。あと} other {}}{left}を入れてください。おつりは出ません。* で中止します。',
  },
  'door-open': {
    title: '扉が開きました',
    text: '{already, select, yes {{compartment}番の扉はすでに開いています。} other {{compartment}番の扉が開きました。お荷物を取り出して扉を閉めてください。}}',
  },
  'door-not-opened': {
    title: '扉が開けられませんでした',
    text: '{compartment}番の扉が開けられなかったため、再び施錠しました。お荷物番号とコードをもう一度入力してください。',
  },
  'item-inside': {
    title: 'お荷物が残っています',
    text: '{reopen, select, yes {{compartment}番にお荷物が残っているため、お渡しは完了していません。# を押すと扉がもう一度開きますので、お荷物を取り出してください。} other {{compartment}番にお荷物が残っているため、お渡しは完了していません。扉を開けるには、お荷物番号とコードをもう一度入力してください。}}',
  },
  thanks: { title: 'ありがとうございました', text: '{compartment, select, none {ありがとうございました。} other {ありがとうございました。{compartment}番の扉が閉まりました。}}' },
  'contact-seller': {
    title: '出品者にお問い合わせください',
    text: '{reason, select, returning {このお荷物は出品者への返送待ちです。出品者にお問い合わせください。} at_counter {このお荷物はカウンターでお預かりしています。係員にお声がけください。} seller_refused {出品者によると、このお荷物はお渡しできません。出品者にお問い合わせください。} cannot_take_payment {このお荷物には{due}のお支払いがありますが、この端末ではお支払いいただけません。出品者にお問い合わせください。} not_here {この伝票のお荷物はここにはありません。出品者にお問い合わせください。} other {現在このお荷物をお渡しできません。係員に連絡しました。出品者にお問い合わせください。}}',
  },
  refused: {
    title: '受け付けられません',
    text:
      '{reason, select, ' +
      'slip_not_number {これは送り状です。お知らせのバーコードをかざすか、お荷物番号を入力して # を押してください。} ' +
      'not_a_number {このバーコードはお荷物番号ではありません。お知らせのバーコードをかざすか、お荷物番号を入力して # を押してください。} ' +
      'not_slip_or_number {このバーコードは送り状でもお荷物番号でもありません。送り状、次に番号の順でかざしてください。} ' +
      'slip_invalid {送り状を受け付けられません（{slipReason, select, malformed {読み取れません} untrusted {この出品者は登録されていません} bad_signature {署名が正しくありません} mode_not_allowed {この種類の送り状は使えません} wrong_kiosk {別の端末あてです} wrong_code {コードが一致しません} txn_mismatch {別のお荷物のものです} other {使えません}}）。お荷物は出品者用に取り分けてください。} ' +
      'seller_mismatch {この番号は送り状と別の出品者のものです。同じお荷物の番号をかざしてください。} ' +
      'already_stored {このお荷物はすでに{compartment}番に入っています。別のお荷物をかざしてください。} ' +
      'compartment_busy {{compartment}番は使用中か扉が開いているため、いま変更できません。} ' +
      'say_what_found {{compartment}番には、中断された預け入れのお荷物が入っている可能性があります。中を確認し、空なら 4、お荷物があれば 5 を押してください。} ' +
      'cannot_mark {{compartment}番はそのように記録できません。確認待ちではないか、見つかったものが端末の記録と合いません。何も変更していません。} ' +
      'already_done {このお荷物はすでにお渡し済みか返送済みです。出品者用に取り分けてください。} ' +
      'not_expected {このお荷物はこの端末に届く予定がありません。出品者用に取り分けてください。} ' +
      'no_proof_possible {このお荷物には送り状も出品者によるコード確認もないため、ここではお渡しできません。} ' +
      `no_free_compartment {${SIZE}サイズ以上の空きロッカーがありません。お荷物はお持ち帰りください。} ` +
      'tag_unreadable {タグを読み取れませんでした。リーダーの上で動かさずにかざすか、お荷物番号をお使いください。} ' +
      'tag_empty {このタグには送り状がありません。お知らせのバーコードをお使いください。} ' +
      'card_unreadable {カードを読み取れませんでした。抜いてもう一度お試しいただくか、お荷物番号をお使いください。} ' +
      'scan_slip_first {先に送り状、次にお荷物番号の順でかざしてください。} ' +
      'other {指紋センサーが使用中です。少し待ってからもう一度お試しください。}}',
  },
  error: {
    title: 'エラーが発生しました',
    text: '{reason, select, door_fault {{compartment, select, none {扉が開きませんでした。} other {{compartment}番の扉が開きませんでした。}}係員に連絡しました。もう一度お試しいただくか、出品者にお問い合わせください。} cash_fault {紙幣識別機が故障しています。係員に連絡しました。出品者にお問い合わせください。} other {この端末の機器が故障しています。係員に連絡しました。}}',
  },
  'out-of-service': {
    title: '休止中',
    text: '{compartments, select, none {この端末は休止中です。後ほどご利用ください。} other {{compartments}番は休止中です。}}',
  },
  'staff-id': { title: 'スタッフのサインイン', text: 'スタッフ番号を入力して # を押してください。* で取り消します。' },
  'staff-pin': {
    title: 'スタッフのサインイン',
    text: '{role, select, courier {配達員} clerk {係員} operator {管理者} other {スタッフ}}：PINを入力して # を押してください。* で取り消します。',
  },
  'courier-id': { title: '配達員のサインイン', text: '配達員番号を入力して # を押してください。* で取り消します。' },
  'courier-pin': { title: '配達員のサインイン', text: 'PINを入力して # を押してください。* で取り消します。' },
  'courier-scan': {
    title: '配達員',
    text: '{stored, select, none {} other {{stored}番に収納しました。}}{takeBack, select, none {} other {引き取るお荷物が{takeBack}個あります。}}預け入れるお荷物の送り状、引き取るお荷物の番号をかざしてください。* でサインアウトします。',
  },
  'courier-number': { title: '配達員', text: '送り状を受け付けました。次にお荷物番号（送り状の下のバーコード）をかざしてください。' },
  'courier-size': { title: 'サイズの選択', text: 'お荷物 {txn}：ロッカーのサイズを選んでください。1 小、2 中、3 大。* で取り消します。' },
  'courier-door': {
    title: '{action, select, take_back {引き取り} other {預け入れ}}',
    text: '{action, select, take_back {{doorOpen, select, yes {{compartment}番からお荷物を取り出し、扉を閉めてください。} other {{compartment}番の鍵を開けました。扉を開けてお荷物を取り出してください。}}} other {{doorOpen, select, yes {{compartment}番にお荷物を入れ、扉を閉めてください。} other {{compartment}番の鍵を開けました。扉を開けてお荷物を入れてください。}}}}',
  },
  'courier-empty': {
    title: '収納されていません',
    text: '{compartment}番は空のまま閉じられたため、何も収納されていません。もう一度お荷物の送り状か番号をかざしてください。* でサインアウトします。',
  },
  'courier-still-inside': {
    title: '引き取られていません',
    text: '{compartment}番にお荷物が残っているため、引き取りは完了していません。もう一度お荷物番号をかざすと扉が開きます。* でサインアウトします。',
  },
  'counter-scan': {
    title: 'カウンター',
    text: '{checkedIn, select, none {} other {お荷物 {checkedIn} を受け付けました。}}お預かりは送り状、お渡しはお荷物番号をかざしてください。* でサインアウトします。',
  },
  'counter-number': { title: 'カウンター', text: '送り状を受け付けました。次にお荷物番号をかざしてください。' },
  'counter-code': { title: 'お客様のコード', text: 'お荷物 {txn}：お客様がコードを入力して # を押してください。* で戻ります。' },
  'counter-pay': { title: '代金の受け取り', text: 'コードを確認しました。{due}を受け取ってから # を押してください。* で取り消します。' },
  'counter-hand-over': { title: 'お渡し', text: 'お荷物 {txn} をお客様にお渡しして # を押してください。お渡しできなかったときは * を押してください。' },
  'operator-menu': { title: 'メンテナンス', text: 'ロッカーの前の番号を入力して # を押してください。* でサインアウトします。{compartments}' },
  'operator-compartment': {
    title: '{compartment}番',
    text: '{compartment}番：1 で開ける、2 で休止、3 で再開。確認待ちのときは、中を確認して空なら 4、お荷物があれば 5。* で戻ります。',
  },
  'operator-reason': {
    title: '理由',
    text: '{compartment}番を{action, select, open {開けます} out_of_service {休止します} checked_empty {確認済み（空）にします} checked_inside {確認済み（お荷物あり）にします} other {再開します}}：理由の番号を入力して # を押してください。* で戻ります。',
  },
  'operator-done': {
    title: '完了',
    text: '{action, select, open {{compartment}番を開けました。} out_of_service {{compartment}番を休止しました。} checked_empty {{compartment}番を空として再開しました。} checked_inside {{compartment}番をお荷物ありとして再開しました。} other {{compartment}番を再開しました。}}',
  },
};
