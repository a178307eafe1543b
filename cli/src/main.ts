import { parseArgs } from 'node:util';
import { benchCommand } from './commands/bench.ts';
import { decodeCommand } from './commands/decode.ts';
import { serveCommand } from './commands/serve.ts';
import { deviceCommand } from './commands/device.ts';
import { accountCommand } from './commands/account.ts';
import { orgCommand } from './commands/org.ts';
import { workerCommand } from './commands/worker.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { boxCommand } from './commands/box.ts';
import { simCommand } from './commands/sim.ts';
import { referenceCommand } from './commands/reference.ts';
import { archiveCommand } from './commands/archive.ts';
import { exportCommand } from './commands/export.ts';
import { deadLettersCommand } from './commands/dead-letters.ts';
import { alertsCommand } from './commands/alerts.ts';
import { backupCommand } from './commands/backup.ts';
import { runAsCommand } from './args.ts';
import { CONFIG_USAGE } from './config-file.ts';
import { restrictNewFiles } from './file-modes.ts';
import { UsageError, type CliIo, type Command } from './io.ts';

/** Every subcommand of `airbox`; later parts of the system add theirs here. */
export const COMMANDS: Command[] = [
  serveCommand,
  workerCommand,
  deviceCommand,
  accountCommand,
  orgCommand,
  deadLettersCommand,
  alertsCommand,
  calibrateCommand,
  boxCommand,
  simCommand,
  referenceCommand,
  exportCommand,
  archiveCommand,
  backupCommand,
  decodeCommand,
  benchCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: airbox <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'airbox <command> --help' for a command's options.",
  ].join('\n');
}

const defaultIo: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => Date.now(),
};

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const { positionals } = parseArgs({ args: argv.slice(0, 1), strict: false });
  const name = positionals[0];
  if (name === undefined || argv[0] === '--help' || argv[0] === '-h' || name === 'help') {
    io.stdout.write(help() + '\n');
    return name === undefined && argv.length === 0 ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`airbox: unknown command '${name}'\n\n${help()}\n`);
    return 2;
  }
  // Before anything is opened or written (see file-modes.ts).
  restrictNewFiles();
  const rest = argv.slice(1);
  if (rest.includes('--help') || rest.includes('-h')) {
    const config = command.usage.includes(CONFIG_USAGE) ? '' : `\n${CONFIG_USAGE}\n`;
    io.stdout.write(`${command.usage}\n${config}`);
    return 0;
  }
  try {
    return await runAsCommand(name, () => command.run(rest, io));
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`airbox ${name}: ${e.message}\n\n${command.usage}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    io.stderr.write(`airbox ${name}: ${err.message}\n`);
    return 1;
  }
}
