/** The reference seller's commands. Placeholder until the seller lands. */
export async function sellerCommand(_argv: string[], _ctx: { configPath?: string }): Promise<number> {
  process.stderr.write('seller is not available in this build\n');
  return 2;
}
