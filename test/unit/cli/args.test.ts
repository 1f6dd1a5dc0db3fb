import { describe, expect, it } from 'vitest';
import { helpText, parseArgs, UsageError } from '../../../src/cli/args.js';

const SPECS = {
  name: { kind: 'string', value: 'NAME', help: 'a name' },
  tag: { kind: 'list', value: 'TAG', help: 'a tag' },
  dry: { kind: 'boolean', help: 'do nothing' },
  help: { kind: 'boolean', help: 'help' },
} as const;

describe('parseArgs', () => {
  it('reads strings, lists, booleans and positionals in any order', () => {
    const r = parseArgs(['a', '--name', 'x', '--tag=1', '-', '--dry', '--tag', '2', 'b'], SPECS);
    expect(r.flags).toEqual({ name: 'x', tag: ['1', '2'], dry: true, help: false });
    expect(r.positionals).toEqual(['a', '-', 'b']);
  });

  it('has defaults for flags not given', () => {
    expect(parseArgs([], SPECS)).toEqual({ flags: { name: undefined, tag: [], dry: false, help: false }, positionals: [] });
  });

  it('treats everything after -- as positional, and -h as --help', () => {
    expect(parseArgs(['--', '--name', '-x'], SPECS).positionals).toEqual(['--name', '-x']);
    expect(parseArgs(['-h'], SPECS).flags.help).toBe(true);
  });

  it('keeps an empty value given with =', () => {
    expect(parseArgs(['--name='], SPECS).flags.name).toBe('');
  });

  it('refuses what it cannot read, in words', () => {
    const bad: Array<[string[], string]> = [
      [['--nmae', 'x'], 'unknown option --nmae (did you mean --name?)'],
      [['--na', 'x'], 'unknown option --na (did you mean --name?)'],
      [['--zzz'], 'unknown option --zzz'],
      [['-x'], 'unknown option -x (options are spelled --name)'],
      [['--name'], '--name needs a value: --name NAME'],
      [['--name', '--dry'], '--name needs a value: --name NAME'],
      [['--dry=1'], '--dry takes no value'],
      [['--name', 'a', '--name', 'b'], '--name is given twice'],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseArgs(argv, SPECS), argv.join(' ')).toThrow(new UsageError(message));
    }
  });
});

describe('helpText', () => {
  it('lists every flag with its value and help, aligned', () => {
    expect(helpText('tool [options]', 'Does things.', SPECS)).toBe(
      'usage: tool [options]\n\nDoes things.\n\noptions:\n' +
        '  --name NAME             a name\n' +
        '  --tag TAG (repeatable)  a tag\n' +
        '  --dry                   do nothing\n' +
        '  --help                  help\n',
    );
  });
});
