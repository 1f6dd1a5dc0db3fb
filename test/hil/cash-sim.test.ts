/** The in-process SimCashAcceptor passes the same CashAcceptor contract as the ID-003 driver. */
import { SimCashAcceptor } from '../../drivers/cash/sim.js';
import { cashAcceptorContract } from './contracts/cash.js';

cashAcceptorContract('in-process sim', async () => {
  const acceptor = new SimCashAcceptor();
  const box: number[] = [];
  acceptor.on('stacked', (b) => box.push(b.amount));
  return {
    acceptor,
    currency: 'JPY',
    small: 1000,
    large: 10000,
    // The sim's insert settles the whole escrow; the person does not wait for it.
    insert: (amount) => {
      void acceptor.insert(amount, 'JPY');
      return true;
    },
    inBox: () => box,
    dispose: async () => undefined,
  };
});
