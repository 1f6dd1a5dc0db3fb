/**
 * The FingerprintPad contract against: the in-process sim; R30xPad on the
 * real serialport over a socat pty, with the wire-level R30x simulator on
 * the other end; and, when KIOSK_TEST_FINGERPRINT names a port (e.g.
 * /dev/ttyS1), a real R30x/AS608 module with a person at it
 * (KIOSK_TEST_FINGERPRINT_BAUD, _PASSWORD, _ADDRESS when not the defaults).
 */
import { R30xPad } from '../../drivers/fingerprint/r30x.js';
import { R30xSim } from '../../drivers/fingerprint/r30x-sim.js';
import { SimFingerprintPad } from '../../drivers/fingerprint/sim.js';
import { startPtyPair } from '../../drivers/serial/pty.js';
import { SerialPortTransport } from '../../drivers/serial/serialport-transport.js';
import { fingerprintContract } from './contracts/fingerprint.js';

fingerprintContract(
  'in-process sim',
  async () => {
    const pad = new SimFingerprintPad();
    return {
      pad,
      finger: { place: (t) => pad.placeFinger(t), lift: () => pad.liftFinger() },
      line: { unplug: async () => pad.unplug('test unplug'), replug: async () => pad.replug() },
      dispose: () => pad.close(),
    };
  },
  { fingers: 'scripted', unplug: true, fingerMs: 2000, noFingerMs: 150, eventMs: 2000 },
);

fingerprintContract(
  'R30xPad over a socat pty to the R30x wire simulator',
  async () => {
    const pty = await startPtyPair();
    const device = new SerialPortTransport({ path: pty.devicePath, baudRate: 57600, reconnectMs: 25 });
    const sim = new R30xSim(device, { packetSize: 64 });
    await sim.open();
    const pad = new R30xPad(new SerialPortTransport({ path: pty.kioskPath, baudRate: 57600, reconnectMs: 25 }), {
      pollMs: 20,
      commandTimeoutMs: 1500,
      reconnectMs: 100,
    });
    return {
      pad,
      finger: { place: (t) => sim.placeFinger(t), lift: () => sim.liftFinger() },
      line: { unplug: () => pty.stop(), replug: () => pty.restart() },
      async dispose() {
        await pad.close();
        await sim.close();
        await pty.dispose();
      },
    };
  },
  { fingers: 'scripted', unplug: true, fingerMs: 5000, noFingerMs: 200, eventMs: 5000 },
);

const realPort = process.env.KIOSK_TEST_FINGERPRINT;
if (realPort) {
  fingerprintContract(
    `R30xPad on ${realPort}`,
    async () => {
      const pad = new R30xPad(
        new SerialPortTransport({ path: realPort, baudRate: Number(process.env.KIOSK_TEST_FINGERPRINT_BAUD ?? 57600) }),
        {
          password: Number(process.env.KIOSK_TEST_FINGERPRINT_PASSWORD ?? 0),
          address: Number(process.env.KIOSK_TEST_FINGERPRINT_ADDRESS ?? 0xffffffff),
        },
      );
      return {
        pad,
        ask: (text) => console.log(`fingerprint pad: ${text}`),
        dispose: () => pad.close(),
      };
    },
    { fingers: 'person', unplug: false, fingerMs: 20_000, noFingerMs: 1500, eventMs: 5000 },
  );
}
