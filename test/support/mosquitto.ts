/**
 * A private Mosquitto for one test file: the proof's own broker helper (free
 * port on 127.0.0.1, config in a temp folder; stop() and start() again keep
 * the port, to test outages). Never touches the machine's broker on 1883.
 */
export { Broker as Mosquitto, freePort } from '../../proof/lib/mosquitto.js';
