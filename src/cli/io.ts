/**
 * Where the command line reads and writes. main() takes one, so tests run
 * commands in process with their own input and capture what they print.
 */
export interface CliIo {
  /** Results (JSON, "ok"). */
  stdout(text: string): void;
  /** Words for a person: errors, warnings, prompts. */
  stderr(text: string): void;
  /** All of stdin, as text. */
  readStdin(): Promise<string>;
  /**
   * A secret (a code or PIN). From a terminal: one line typed without echo
   * after `prompt`; null when the person gives up (Ctrl-C, Ctrl-D). From a pipe:
   * all of stdin, with one trailing newline removed.
   */
  readSecret(prompt: string): Promise<string | null>;
  /** Whether stdin is a terminal (a person typing) rather than a pipe or file. */
  readonly stdinIsTty: boolean;
}

/** Removes one trailing line ending ("\n" or "\r\n"), nothing else. */
export function trimOneNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readStdin: readAllStdin,
    readSecret: async (prompt) => {
      if (!process.stdin.isTTY) return trimOneNewline(await readAllStdin());
      return readHiddenLine(prompt);
    },
    stdinIsTty: process.stdin.isTTY === true,
  };
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line from the terminal in raw mode, echoing nothing, so a code never shows on screen. */
function readHiddenLine(prompt: string): Promise<string | null> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let line = '';
    const done = (value: string | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(line);
        if (ch === '\u0003' || ch === '\u0004') return done(null); // Ctrl-C, Ctrl-D
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
