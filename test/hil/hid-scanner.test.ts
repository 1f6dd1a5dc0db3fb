/**
 * The Scanner contract against HidScanner over the in-process HID POS
 * simulator (real report bytes), and with KIOSK_TEST_HID=vid:pid against a
 * real scanner in HID POS mode (a person scans what the test prints; set
 * KIOSK_TEST_SCANNER_AIM=1 when the scanner sends AIM ids).
 */
import { HidScanner } from '../../drivers/scanner/hid.js';
import { nodeHidOpener, parseVidPid } from '../../drivers/scanner/hid-node.js';
import { SimHidScanner } from '../../drivers/scanner/hid-sim.js';
import { scannerContract } from './contracts/scanner.js';

scannerContract('HID POS scanner on the in-process HID simulator', async () => {
  const sim = new SimHidScanner();
  return {
    scanner: new HidScanner(sim.opener),
    scan: (text, aim) => sim.scan(text, aim ?? null),
    supportsAim: true,
    dispose: async () => undefined,
  };
});

const real = process.env.KIOSK_TEST_HID;
if (real) {
  const sel = parseVidPid(real);
  if (!sel) throw new Error(`KIOSK_TEST_HID=${real}: expected vid:pid in hex, like 0c2e:0b8f`);
  scannerContract(
    `HID POS scanner ${real}`,
    async () => ({
      scanner: new HidScanner(nodeHidOpener(sel)),
      scan: (text, aim) => console.log(`scan a symbol holding ${JSON.stringify(text)}${aim ? ` (${aim})` : ''} now`),
      supportsAim: process.env.KIOSK_TEST_SCANNER_AIM === '1',
      dispose: async () => undefined,
    }),
    { readTimeoutMs: 30_000 },
  );
}
