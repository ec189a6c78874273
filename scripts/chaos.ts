/* eslint-disable no-console -- a command-line tool: it talks to a person on a terminal */
import { exitWith } from './command-line';
import { faultRuleCommand, FAULT_RULE_SUBCOMMANDS } from './chaos/fault-rule-commands';
import { monkeyCommand } from './chaos/monkey-command';
import { securityCommand } from './chaos/security-command';

/**
 * `npm run chaos -- <tool> …`: the Simian Army against a running platform. Each tool parses its own
 * options and answers with the process exit code (2 on bad usage).
 */

const USAGE = `usage: npm run chaos -- <tool> [options]
  monkey   [--every 20s] [--duration 2m] [--services billing,subtitles]   kill opted-in services of npm start
  latency  --service S [--method M] --delay 300ms --percent 10 [--ttl 10m] a runtime latency rule
  error    --service S [--method M] --code UNAVAILABLE --percent 30 [--ttl 10m]
  list     [--service S]                                                   the rules in force
  clear    [--service S]                                                   remove rules
  security [--fail-on high|medium|low|none] [--report sec.json] [--port-offset N] [--kubernetes]   the Security Monkey`;

export async function chaosCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [tool, ...rest] = args;
  if (tool === 'monkey') return monkeyCommand(rest, env);
  if (tool === 'security') return securityCommand(rest, env);
  if (tool !== undefined && (FAULT_RULE_SUBCOMMANDS as readonly string[]).includes(tool)) {
    return faultRuleCommand(tool as (typeof FAULT_RULE_SUBCOMMANDS)[number], rest, env);
  }
  console.error(`npm run chaos: ${tool === undefined ? 'name a tool' : `unknown tool ${tool}`}\n${USAGE}`);
  return 2;
}

if (require.main === module) {
  exitWith('npm run chaos', () => chaosCommand(process.argv.slice(2), process.env));
}
