/**
 * The in-process SimLockBank against the LockBank contract, with item sensors
 * on some channels (putItem / takeItem) and none on the others.
 */
import { lockBankContract } from './contracts/locks.js';
import { SimLockBank } from '../../drivers/locks/sim.js';

lockBankContract(
  'in-process sim with item sensors on channels 2 and 4',
  async () => {
    const bank = new SimLockBank([1, 2, 3, 4], undefined, 300, { itemSensors: [2, 4] });
    return {
      bank,
      openDoor: (ch) => bank.openDoor(ch),
      closeDoor: (ch) => bank.closeDoor(ch),
      pulses: (ch) => bank.pulses(ch),
      jam: () => {
        bank.failUnlocks = true;
      },
      putItem: (ch) => bank.putItem(ch),
      takeItem: (ch) => bank.takeItem(ch),
      itemSensors: [2, 4],
      dispose: async () => undefined,
    };
  },
  { items: true },
);
