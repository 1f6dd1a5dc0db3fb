import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../src/core/errors.js';
import { TypedEmitter } from '../../../src/core/events.js';
import { silentLog } from '../../../src/core/log.js';
import type { ConnectionEvents } from '../../../drivers/lifecycle.js';
import { DeviceSupervisor, type ServiceState } from '../../../src/app/supervisor.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A driver whose presence the test switches: open() fails while it is absent. */
class Plug extends TypedEmitter<ConnectionEvents> {
  present = true;
  opens = 0;
  constructor(readonly name: string) {
    super();
  }
  async open(): Promise<void> {
    this.opens++;
    if (!this.present) throw new DeviceError('not-found', 'cannot open /dev/ttyUSB0: No such file or directory', this.name);
  }
  async close(): Promise<void> {}
  lose(): void {
    this.emit('disconnect', 'cable pulled');
  }
  back(): void {
    this.emit('reconnect');
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setup(devices: Array<{ role: 'keypad' | 'scanner' | 'locks'; driver: Plug }>) {
  const clock = new FakeClock();
  const shown: ServiceState[] = [];
  const alarms: string[] = [];
  const sup = new DeviceSupervisor({
    clock,
    log: silentLog,
    devices,
    sink: { setService: (s) => shown.push(s) },
    alarm: (kind, detail) => alarms.push(`${kind} ${detail}`),
    retry: { minMs: 1000, maxMs: 8000 },
  });
  return { clock, shown, alarms, sup };
}

describe('device supervisor', () => {
  it('a lock bank missing at start: out of service, one alarm, retries with backoff, back in service when it answers', async () => {
    const locks = new Plug('locks:cu16');
    const keypad = new Plug('keypad:serial');
    locks.present = false;
    const { clock, shown, alarms, sup } = setup([
      { role: 'keypad', driver: keypad },
      { role: 'locks', driver: locks },
    ]);
    await sup.start();
    expect(shown).toEqual([{ whole: true, compartments: [] }]);
    expect(alarms).toEqual(['device-lost locks:cu16: cannot open /dev/ttyUSB0: No such file or directory (retrying)']);
    expect(sup.degraded).toBe(true);
    // Backoff: 1 s, 2 s, 4 s, 8 s, 8 s …
    clock.advance(999);
    await flush();
    expect(locks.opens).toBe(1);
    clock.advance(1);
    await flush();
    expect(locks.opens).toBe(2);
    clock.advance(2000);
    await flush();
    expect(locks.opens).toBe(3);
    clock.advance(4000);
    await flush();
    expect(locks.opens).toBe(4);
    clock.advance(8000);
    await flush();
    expect(locks.opens).toBe(5);
    expect(alarms).toHaveLength(1); // one alarm for the outage, not one per try
    locks.present = true;
    clock.advance(8000);
    await flush();
    expect(locks.opens).toBe(6);
    expect(shown.at(-1)).toEqual({ whole: false, compartments: [] });
    expect(alarms.at(-1)).toBe('device-restored locks:cu16 answers again');
    expect(sup.degraded).toBe(false);
    sup.stop();
  });

  it('a device lost later and back: out of service and in again, by itself', async () => {
    const keypad = new Plug('keypad:serial');
    const { shown, alarms, sup } = setup([{ role: 'keypad', driver: keypad }]);
    await sup.start();
    expect(shown).toEqual([{ whole: false, compartments: [] }]);
    keypad.lose();
    expect(shown.at(-1)).toEqual({ whole: true, compartments: [] });
    keypad.lose(); // a second report of the same outage changes nothing
    keypad.back();
    expect(shown.at(-1)).toEqual({ whole: false, compartments: [] });
    expect(alarms).toEqual(['device-lost keypad:serial: cable pulled', 'device-restored keypad:serial answers again']);
    expect(shown).toHaveLength(3);
  });

  it('a missing scanner degrades the kiosk but keeps it in service', async () => {
    const scanner = new Plug('scanner:serial');
    scanner.present = false;
    const { shown, sup } = setup([
      { role: 'keypad', driver: new Plug('keypad:serial') },
      { role: 'scanner', driver: scanner },
    ]);
    await sup.start();
    expect(shown).toEqual([{ whole: false, compartments: [] }]);
    expect(sup.degraded).toBe(true);
    expect(sup.status().find((d) => d.role === 'scanner')).toMatchObject({ up: false, attempts: 1 });
    sup.stop();
  });

  it("keeps the operator's marks beside device faults", async () => {
    const keypad = new Plug('keypad:serial');
    const { shown, sup } = setup([{ role: 'keypad', driver: keypad }]);
    await sup.start();
    sup.setManual({ whole: false, compartments: ['A03', 'A01', 'A03'] });
    expect(shown.at(-1)).toEqual({ whole: false, compartments: ['A01', 'A03'] });
    keypad.lose();
    expect(shown.at(-1)).toEqual({ whole: true, compartments: ['A01', 'A03'] });
    keypad.back();
    sup.setManual({ whole: false, compartments: [] });
    expect(shown.at(-1)).toEqual({ whole: false, compartments: [] });
  });
});
