/** The command line. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`pickup-kiosk: ${argv.join(' ')}\n`);
  return 0;
}
