/** Waits in real time until `ok()` holds, checking every `everyMs`; fails naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean, ms = 3000, everyMs = 5): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
