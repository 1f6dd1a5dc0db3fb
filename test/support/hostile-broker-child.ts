/**
 * Run in a child process with --expose-gc (test/e2e/link-hostile-memory.test.ts):
 * a scripted hostile MQTT server (short CONNACKs, bad lengths, bad topics,
 * QoS 3, a huge remaining length, invalid UTF-8, PUBLISHes near and above
 * the size cap) against one kiosk link, reconnecting as fast as it may.
 * Prints one JSON line per checkpoint: heap, array buffers and live mqtt.js
 * clients after a full gc.
 */
import net from 'node:net';
import { MqttClient } from 'mqtt';
import { makeKiosk, sellerSigner, sleep } from './mqtt.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

let live = 0;
const registry = new FinalizationRegistry(() => live--);
// Count clients as they connect (the link makes a fresh one per attempt).
const proto = MqttClient.prototype as unknown as { connect: (this: MqttClient) => MqttClient };
const connect = proto.connect;
proto.connect = function (this: MqttClient) {
  live++;
  registry.register(this, 1);
  return connect.call(this);
};

function publish(topic: string, size: number, first = 0x30): Buffer {
  const t = Buffer.from(topic);
  const body = Buffer.concat([Buffer.of(t.length >> 8, t.length & 255), t, Buffer.alloc(size, 0x7b)]);
  const len: number[] = [];
  let x = body.length;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 128;
    len.push(b);
  } while (x > 0);
  return Buffer.concat([Buffer.of(first, ...len), body]);
}

const CONNACK = Buffer.from('20020000', 'hex');
const topic = 'pk/v1/kiosk/kiosk-1/manifest';
const scenarios: Array<() => Buffer> = [
  () => Buffer.from('2001', 'hex'), // short CONNACK
  () => Buffer.from('200400000113', 'hex'), // long CONNACK
  () => Buffer.concat([CONNACK, Buffer.from('36050003612f62', 'hex')]), // QoS 3
  () => Buffer.concat([CONNACK, Buffer.from('30ffffff7f', 'hex')]), // huge remaining length
  () => Buffer.concat([CONNACK, Buffer.from('20ffffffff7f', 'hex')]), // a 5-byte length
  () => Buffer.concat([CONNACK, Buffer.from('300500033fff61', 'hex')]), // topic not UTF-8
  () => Buffer.concat([CONNACK, Buffer.from('300500032f2b2f', 'hex')]), // wildcard topic
  () => Buffer.concat([CONNACK, publish(topic, 200, 0x30).subarray(0, 100)]), // cut short
  () => Buffer.concat([CONNACK, publish(topic, 64 * 1024).fill(0xff, 40)]), // payload not UTF-8 JSON
  () => Buffer.concat([CONNACK, publish(topic, 6 * 1024 * 1024)]), // large, under the cap
  () => Buffer.concat([CONNACK, publish(topic, 9 * 1024 * 1024)]), // over the cap
];

let n = 0;
const sockets = new Set<net.Socket>();
const server = net.createServer((s) => {
  const reply = scenarios[n++ % scenarios.length]();
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
  s.on('error', () => s.destroy());
  s.once('data', () => {
    s.write(reply);
    setTimeout(() => s.destroy(), 5);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as net.AddressInfo).port;
const kiosk = makeKiosk({ url: `mqtt://127.0.0.1:${port}`, sellers: { s1: sellerSigner('s1').keys }, link: { reconnectMinMs: 1, reconnectMaxMs: 5 } });
kiosk.link.start();

async function checkpoint(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await sleep(20);
  }
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ connections: n, heapMb: m.heapUsed / 2 ** 20, arrayBuffersMb: m.arrayBuffers / 2 ** 20, liveClients: live })}\n`);
}

const rounds = Number(process.argv[2] ?? '4');
const per = Number(process.argv[3] ?? '55');
for (let r = 0; r <= rounds; r++) {
  while (n < r * per) await sleep(10);
  await checkpoint();
}
await kiosk.close();
for (const s of sockets) s.destroy();
server.close();
