/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser),
 * axe-core injected from node_modules, and a UI server fed screens directly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Screen } from '../../src/domain/screens.js';
import { createLogger } from '../../src/core/log.js';
import type { ScreenFeed } from '../../src/ui/screen-feed.js';
import { startUi, type ScreenSettings, type UiServer } from '../../src/ui/server.js';
import { assertBuilt } from '../support/built.js';
import { packageRoot } from '../../src/config/index.js';

export const CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** One headless Chromium with a fresh profile; the page scripts must have been built (npm run build). */
export async function openBrowser(viewport = { width: 1024, height: 768 }): Promise<Browser> {
  assertBuilt(packageRoot());
  const profile = mkdtempSync(join(tmpdir(), 'pk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** axe-core on the page as it is now: every violation, with the nodes it found. */
export async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

export async function expectAxeClean(page: Page, what: string): Promise<void> {
  expect(await axe(page), `axe on ${what}`).toEqual([]);
}

/** A screen source a test sets by hand. */
export class FedScreens implements ScreenFeed {
  private current: Screen = { id: 'idle' };
  private listeners: Array<(s: Screen) => void> = [];
  get(): Screen {
    return this.current;
  }
  onChange(fn: (s: Screen) => void): void {
    this.listeners.push(fn);
  }
  set(s: Screen): void {
    this.current = s;
    for (const fn of this.listeners) fn(s);
  }
}

export const COMPARTMENTS = ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10', 'A11', 'A12'].map((id, i) => ({ id, size: i < 4 ? 'S' : i < 9 ? 'M' : 'L', channel: i + 1 }));

export interface FedUi {
  ui: UiServer;
  screens: FedScreens;
  keys: string[];
  /** Stops the UI server, runs `between` while it is away, starts it again on the same port. */
  restart(between?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The UI server alone, fed screens by the test; keys typed on the page are collected. */
export async function startFedUi(settings: Partial<ScreenSettings> = {}, port = 0): Promise<FedUi> {
  const screens = new FedScreens();
  const keys: string[] = [];
  const full: ScreenSettings = { lang: 'en', timeZone: 'Asia/Tokyo', keypad: true, bankRows: 4, ...settings };
  const start = (p: number) =>
    startUi({
      host: '127.0.0.1',
      port: p,
      kioskId: 'kiosk-test',
      screen: screens,
      now: () => Date.now(),
      settings: full,
      compartments: () => COMPARTMENTS,
      operator: () => ({ compartments: [], outbox: { pending: 0, recent: [] }, alarms: [], devices: [], link: { connected: false }, service: null, events: [] }),
      keys: (k) => void keys.push(...k),
      sims: null,
      log: createLogger({ level: 'silent' }),
    });
  const fed: FedUi = {
    ui: await start(port),
    screens,
    keys,
    async restart(between) {
      const p = fed.ui.port;
      await fed.ui.close();
      await between?.();
      fed.ui = await start(p);
    },
    close: () => fed.ui.close(),
  };
  return fed;
}

/** Nothing below the fold: the page is no taller or wider than the window. */
export async function fits(page: Page): Promise<{ width: number; height: number; scrollWidth: number; scrollHeight: number }> {
  return page.evaluate(() => ({
    width: window.innerWidth,
    height: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
  }));
}

/**
 * The accessible name of the one element `loc` finds, as Chromium's
 * accessibility tree gives it to a screen reader (from its ARIA snapshot).
 */
export async function accessibleName(loc: Locator): Promise<string> {
  const snap = await loc.ariaSnapshot();
  const m = /^- [a-z]+ "((?:[^"\\]|\\.)*)"/.exec(snap);
  if (!m) throw new Error(`no accessible name in ${snap}`);
  return JSON.parse(`"${m[1]}"`) as string;
}
