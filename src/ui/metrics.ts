/**
 * GET /metrics: the kiosk in the Prometheus text format (prom-client), on the
 * kiosk's loopback HTTP server. prom-client is loaded at the first scrape, so
 * a kiosk nobody scrapes never pays for it; what must be counted from the
 * start (door events, key derivations, event-loop delay) is counted here in
 * plain numbers meanwhile.
 *
 * kiosk_pickups_total, kiosk_denials_total, kiosk_lockouts_total,
 * kiosk_alarms_total{kind}, kiosk_door_events_total{event}, kiosk_outbox_depth,
 * kiosk_outbox_oldest_age_seconds, kiosk_broker_connected,
 * kiosk_device_up{device}, kiosk_out_of_service{scope},
 * kiosk_event_loop_lag_seconds{quantile}, kiosk_key_derivation_seconds
 * (histogram), kiosk_uptime_seconds, kiosk_info{version,config_hash}, and
 * prom-client's process_* and nodejs_* defaults.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sampleLoopLag } from './loop-lag.js';

/** What the metrics read; app.ts supplies it (ui reaches no store or driver itself). */
export interface MetricsSource {
  version: string;
  configHash: string;
  /** Running totals since start, from the audit log and the alarms. */
  totals(): { pickups: number; denials: number; lockouts: number; alarms: Record<string, number> };
  outbox(): { depth: number; oldestAt: number | null };
  brokerConnected(): boolean;
  devices(): Array<{ role: string; up: boolean }>;
  service(): { whole: boolean; compartments: string[] };
  /** Registers a listener for door changes. */
  onDoor(fn: (open: boolean) => void): void;
  now(): number;
}

export interface Metrics {
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
  stop(): void;
}

const KDF_BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5];

export function createMetrics(src: MetricsSource): Metrics {
  const started = src.now();
  const doors = { open: 0, closed: 0 };
  src.onDoor((open) => doors[open ? 'open' : 'closed']++);
  const kdf: number[] = [];
  const onKdf = (m: unknown): void => {
    const ms = (m as { ms?: unknown }).ms;
    // Kept until the next scrape; a kiosk nobody scrapes keeps only the latest 1,000.
    if (typeof ms === 'number' && kdf.push(ms / 1000) > 1000) kdf.shift();
  };
  subscribe('pickup-kiosk:kdf', onKdf);
  const lag = sampleLoopLag();

  let registry: Promise<{ text: () => Promise<string>; contentType: string }> | null = null;
  const build = async (): Promise<{ text: () => Promise<string>; contentType: string }> => {
    // prom-client is CommonJS: its module.exports is the default export, bundled (dist/kiosk/, where
    // the import has no named exports) or not.
    const prom = (await import('prom-client')).default;
    const register = new prom.Registry();
    prom.collectDefaultMetrics({ register });
    const gauge = (name: string, help: string, labelNames: string[], collect: (g: InstanceType<typeof prom.Gauge>) => void): void => {
      new prom.Gauge({
        name,
        help,
        labelNames,
        registers: [register],
        collect() {
          collect(this);
        },
      });
    };
    // Counters follow running totals: each scrape adds what is new since the last one.
    const counter = (name: string, help: string, labelNames: string[], read: () => Array<[Record<string, string>, number]>): void => {
      const seen = new Map<string, number>();
      new prom.Counter({
        name,
        help,
        labelNames,
        registers: [register],
        collect() {
          for (const [labels, v] of read()) {
            const key = JSON.stringify(labels);
            const d = v - (seen.get(key) ?? 0);
            if (d > 0) this.inc(labels, d);
            seen.set(key, v);
          }
        },
      });
    };
    counter('kiosk_pickups_total', 'Parcels handed over', [], () => [[{}, src.totals().pickups]]);
    counter('kiosk_denials_total', 'Wrong codes entered', [], () => [[{}, src.totals().denials]]);
    counter('kiosk_lockouts_total', 'Parcels locked after too many wrong codes', [], () => [[{}, src.totals().lockouts]]);
    counter('kiosk_alarms_total', 'Alarms raised, by kind', ['kind'], () => Object.entries(src.totals().alarms).map(([kind, n]) => [{ kind }, n]));
    counter('kiosk_door_events_total', 'Door sensor changes', ['event'], () => [
      [{ event: 'open' }, doors.open],
      [{ event: 'closed' }, doors.closed],
    ]);
    new prom.Histogram({
      name: 'kiosk_key_derivation_seconds',
      help: 'Time of each scrypt key derivation',
      buckets: KDF_BUCKETS,
      registers: [register],
      collect() {
        for (const v of kdf.splice(0)) this.observe(v);
      },
    });
    gauge('kiosk_outbox_depth', 'Events and alarms waiting for an ack', [], (g) => g.set(src.outbox().depth));
    gauge('kiosk_outbox_oldest_age_seconds', 'Age of the oldest unacked outbox row (0 when empty)', [], (g) => {
      const o = src.outbox().oldestAt;
      g.set(o === null ? 0 : Math.max(0, (src.now() - o) / 1000));
    });
    gauge('kiosk_broker_connected', '1 while the seller link is connected and subscribed', [], (g) => g.set(src.brokerConnected() ? 1 : 0));
    gauge('kiosk_device_up', '1 while the device answers', ['device'], (g) => {
      for (const d of src.devices()) g.set({ device: d.role }, d.up ? 1 : 0);
    });
    gauge('kiosk_out_of_service', 'Out of service: whole kiosk (0/1), or the number of compartments', ['scope'], (g) => {
      const s = src.service();
      g.set({ scope: 'whole' }, s.whole ? 1 : 0);
      g.set({ scope: 'compartments' }, s.compartments.length);
    });
    gauge('kiosk_event_loop_lag_seconds', 'Event-loop delay since the previous scrape', ['quantile'], (g) => {
      const f = lag.take();
      g.set({ quantile: '0.5' }, f.p50);
      g.set({ quantile: '0.99' }, f.p99);
      g.set({ quantile: '1' }, f.max);
    });
    gauge('kiosk_uptime_seconds', 'Seconds since the kiosk started', [], (g) => g.set((src.now() - started) / 1000));
    gauge('kiosk_info', 'Version and config in force', ['version', 'config_hash'], (g) => g.set({ version: src.version, config_hash: src.configHash }, 1));
    return { text: () => register.metrics(), contentType: register.contentType };
  };

  return {
    async handler(_req, res) {
      registry ??= build();
      const r = await registry;
      const body = await r.text();
      res.writeHead(200, { 'content-type': r.contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
    stop() {
      unsubscribe('pickup-kiosk:kdf', onKdf);
      lag.stop();
    },
  };
}
