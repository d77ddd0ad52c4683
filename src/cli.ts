import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { type Container, createContainer } from './container.js';
import { withDotenv } from './environment.js';
import type { OperatorKeyView } from './features/api-keys/index.js';
import type { AccountView, BalanceChange } from './features/organizations/index.js';
import { operatorActor } from './platform/actor.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { createLogger } from './platform/logging/logger.js';

/** A mistake in how the CLI was called. Exit code 2, as most Unix tools use for bad usage. */
class UsageError extends Error {}

type OptionSpec = Record<string, { readonly type: 'string' | 'boolean' }>;
type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

interface CommandContext {
  readonly container: Container;
  /** One per invocation, so every audit event of one command can be found together. */
  readonly correlationId: string;
}

/** Does the work and returns what goes to stdout; stdout carries nothing else. */
type Run = (context: CommandContext) => Promise<string>;

interface Command {
  readonly synopsis: string;
  readonly summary: string;
  readonly options: OptionSpec;
  /** `migrate` applies the migrations itself, to report which ran. */
  readonly migratesItself?: boolean;
  /** Checks the options before the database is opened, so a usage error costs nothing. */
  prepare(values: OptionValues): Run;
}

const NAME_MAX_LENGTH = 200;
/** The HTTP route allows keys of up to 36,500 days; the operator gets the same ceiling. */
const MAX_EXPIRES_IN_SECONDS = 36_500 * 86_400;
const jsonOption = { json: { type: 'boolean' } } as const;
const orgOption = { org: { type: 'string' } } as const;

// --- option values -----------------------------------------------------------

function optionalText(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (typeof value !== 'string') return undefined;
  if (value.trim() === '') throw new UsageError(`--${name} must not be empty.`);
  return value.trim();
}

function requiredText(values: OptionValues, name: string): string {
  const value = optionalText(values, name);
  if (value === undefined) throw new UsageError(`--${name} is required.`);
  if (value.length > NAME_MAX_LENGTH) throw new UsageError(`--${name} must be at most ${NAME_MAX_LENGTH} characters.`);
  return value;
}

function finiteNumber(name: string, raw: string): number {
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a finite number, got '${raw}'.`);
  return value;
}

function balanceChange(values: OptionValues): BalanceChange {
  const set = optionalText(values, 'set');
  const add = optionalText(values, 'add');
  if (set !== undefined && add === undefined) return { set: finiteNumber('set', set) };
  if (add !== undefined && set === undefined) return { add: finiteNumber('add', add) };
  throw new UsageError('orgs balance takes exactly one of --set <amount> or --add <amount>.');
}

function expiresInSeconds(values: OptionValues): number | null {
  const raw = optionalText(values, 'expires-in');
  if (raw === undefined) return null;
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_EXPIRES_IN_SECONDS)) {
    throw new UsageError(`--expires-in must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN_SECONDS}, got '${raw}'.`);
  }
  return seconds;
}

/** `--org` may be left out only when there is no doubt which organization is meant. */
async function resolveOrganization(container: Container, orgId: string | undefined): Promise<AccountView> {
  if (orgId !== undefined) return container.organizations.getAccount(orgId);
  const organizations = await container.organizations.list();
  const [only] = organizations;
  if (organizations.length === 1 && only) return only;
  throw new UsageError(
    organizations.length === 0
      ? '--org is required: no organization exists yet (create one with "agentry orgs create --name <name>").'
      : `--org is required: there are ${organizations.length} organizations (see "agentry orgs list").`,
  );
}

// --- output --------------------------------------------------------------------

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return `${[headers, ...rows].map(line).join('\n')}\n`;
}

/** Keys are not stored, so this is the only time anyone sees them: say so. */
function shownOnce(heading: string, key: string): string {
  return `${heading}\nThe key is shown only now; store it safely:\n\n  ${key}\n\n`;
}

/** A fixed field order, so the JSON reads like the table. */
function keyJson(key: OperatorKeyView): Record<string, string | null> {
  const { id, label, key: hint, agentId, expiresAt, usedAt, createdAt } = key;
  return { id, label, key: hint, agentId, expiresAt, usedAt, createdAt };
}

function keyRows(keys: OperatorKeyView[]): string[][] {
  return keys.map((key) => [
    key.id,
    key.label,
    key.key,
    key.agentId ?? '-',
    key.expiresAt ?? 'never',
    key.usedAt ?? '-',
    key.createdAt,
  ]);
}

// --- commands ------------------------------------------------------------------

const migrate: Command = {
  synopsis: 'migrate',
  summary: 'Apply pending database migrations and list the ones applied.',
  options: {},
  migratesItself: true,
  prepare: () => async ({ container }) => {
    const applied = (await migrateToLatest(container.database))
      .filter((result) => result.status === 'Success')
      .map((result) => `Applied ${result.migrationName}\n`);
    return applied.length === 0 ? 'Database is up to date.\n' : applied.join('');
  },
};

const orgsCreate: Command = {
  synopsis: 'orgs create --name <name> [--json]',
  summary: 'Create an organization and its first API key (the key is shown once).',
  options: { name: { type: 'string' }, ...jsonOption },
  prepare(values) {
    const name = requiredText(values, 'name');
    return async ({ container, correlationId }) => {
      const { organization, apiKey } = await container.organizations.create({ name }, correlationId);
      if (values.json === true) {
        return json({ id: organization.id, name: organization.name, apiKey: { id: apiKey.id, key: apiKey.secret } });
      }
      return shownOnce(
        `Created organization ${organization.id} (${JSON.stringify(organization.name)}) with API key ${apiKey.id}.`,
        apiKey.secret,
      );
    };
  },
};

const orgsList: Command = {
  synopsis: 'orgs list [--json]',
  summary: 'List all organizations with their balance.',
  options: { ...jsonOption },
  prepare: (values) => async ({ container }) => {
    const organizations = (await container.organizations.list()).map(({ id, name, balance, createdAt }) => ({
      id,
      name,
      balance,
      createdAt,
    }));
    if (values.json === true) return json(organizations);
    if (organizations.length === 0) return 'No organizations.\n';
    const rows = organizations.map((organization) => [
      organization.id,
      organization.name,
      String(organization.balance),
      organization.createdAt,
    ]);
    return table(['ID', 'NAME', 'BALANCE', 'CREATED'], rows);
  },
};

const orgsBalance: Command = {
  synopsis: 'orgs balance [--org <id>] (--set <amount> | --add <amount>) [--json]',
  summary: "Set or change an organization's balance; prints the new balance.",
  options: { ...orgOption, set: { type: 'string' }, add: { type: 'string' }, ...jsonOption },
  prepare(values) {
    const change = balanceChange(values);
    const orgId = optionalText(values, 'org');
    return async ({ container, correlationId }) => {
      const organization = await resolveOrganization(container, orgId);
      const updated = await container.organizations.changeBalance(organization.id, change, correlationId);
      if (values.json === true) return json({ id: updated.id, name: updated.name, balance: updated.balance });
      return `Balance of organization ${updated.id} (${JSON.stringify(updated.name)}) is now ${updated.balance}.\n`;
    };
  },
};

const keysCreate: Command = {
  synopsis: 'keys create --label <label> [--org <id>] [--expires-in <seconds>] [--json]',
  summary: 'Create an organization-wide API key as the operator (the key is shown once).',
  options: { label: { type: 'string' }, ...orgOption, 'expires-in': { type: 'string' }, ...jsonOption },
  prepare(values) {
    const label = requiredText(values, 'label');
    const orgId = optionalText(values, 'org');
    const lifetime = expiresInSeconds(values);
    return async ({ container, correlationId }) => {
      const organization = await resolveOrganization(container, orgId);
      // Counted from now, after the database is open, so a short lifetime is not eaten by start-up.
      const expiresAt = lifetime === null ? null : new Date(Date.now() + lifetime * 1000).toISOString();
      const actor = operatorActor(organization.id, correlationId);
      const key = await container.apiKeys.createKeyAsOperator(actor, { label, expiresAt });
      if (values.json === true) return json({ id: key.id, orgId: organization.id, key: key.secret, expiresAt });
      const expiry = expiresAt === null ? 'it never expires' : `it expires at ${expiresAt}`;
      return shownOnce(
        `Created API key ${key.id} (${JSON.stringify(label)}) for organization ${organization.id}; ${expiry}.`,
        key.secret,
      );
    };
  },
};

const keysList: Command = {
  synopsis: 'keys list [--org <id>] [--json]',
  summary: "List an organization's API keys, agent-scoped ones included (by their last characters only).",
  options: { ...orgOption, ...jsonOption },
  prepare(values) {
    const orgId = optionalText(values, 'org');
    return async ({ container }) => {
      const organization = await resolveOrganization(container, orgId);
      const keys = await container.apiKeys.listAllKeys(organization.id);
      if (values.json === true) return json(keys.map(keyJson));
      if (keys.length === 0) return `Organization ${organization.id} has no API keys.\n`;
      return table(['ID', 'LABEL', 'KEY', 'AGENT', 'EXPIRES', 'USED', 'CREATED'], keyRows(keys));
    };
  },
};

const commands: ReadonlyMap<string, Command> = new Map([
  ['migrate', migrate],
  ['orgs create', orgsCreate],
  ['orgs list', orgsList],
  ['orgs balance', orgsBalance],
  ['keys create', keysCreate],
  ['keys list', keysList],
]);

function usage(): string {
  const lines = [...commands.values()].map((command) => `  agentry ${command.synopsis}\n      ${command.summary}`);
  return [
    'Usage: agentry <command> [options]',
    '',
    'Operator commands for Agentry. They read the same configuration as the server',
    '(environment variables, then ./.env) and work on its database directly.',
    '',
    'Commands:',
    ...lines,
    '  agentry help\n      Show this text (also --help, -h).',
    '',
    '--org may be left out when exactly one organization exists.',
    '--json prints JSON instead of text.',
    'Exit codes: 0 done, 1 failed (configuration, database, unknown organization), 2 bad usage.',
    '',
  ].join('\n');
}

// --- argument parsing ----------------------------------------------------------

function findCommand(args: string[]): { name: string; command: Command; rest: string[] } {
  for (const length of [2, 1]) {
    const name = args.slice(0, length).join(' ');
    const command = commands.get(name);
    if (command) return { name, command, rest: args.slice(length) };
  }
  const words = args.slice(0, 2).filter((arg) => !arg.startsWith('-'));
  throw new UsageError(`Unknown command '${words.join(' ') || args[0]}'; run "agentry help" for the list of commands.`);
}

/** A value that starts with '-' is most likely a forgotten value, unless it is a negative number. */
function looksLikeOption(value: string): boolean {
  return value.startsWith('-') && !Number.isFinite(Number(value));
}

/**
 * Parses leniently and then checks each token here, so every mistake gets a
 * one-line message naming the option, and `--add -5` still works.
 */
function parseOptions(name: string, spec: OptionSpec, args: string[]): OptionValues {
  const { values, tokens } = parseArgs({ args, options: spec, strict: false, allowPositionals: true, tokens: true });
  const accepted = Object.keys(spec).map((option) => `--${option}`).join(', ') || 'no options';
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`Unexpected argument '${token.value}' for "${name}".`);
    if (token.kind !== 'option') continue;
    const option = spec[token.name];
    if (!option) throw new UsageError(`Unknown option '${token.rawName}' for "${name}"; it accepts ${accepted}.`);
    if (seen.has(token.name)) throw new UsageError(`--${token.name} may be given only once.`);
    seen.add(token.name);
    if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`--${token.name} takes no value.`);
    if (option.type === 'string' && (token.value === undefined || (!token.inlineValue && looksLikeOption(token.value)))) {
      throw new UsageError(`--${token.name} needs a value.`);
    }
  }
  return values;
}

function wantsHelp(args: string[]): boolean {
  return args.length === 0 || args[0] === 'help' || args.includes('--help') || args.includes('-h');
}

// --- main ----------------------------------------------------------------------

async function main(args: string[]): Promise<void> {
  if (wantsHelp(args)) {
    process.stdout.write(usage());
    return;
  }
  const { name, command, rest } = findCommand(args);
  const run = command.prepare(parseOptions(name, command.options, rest));
  const config = loadConfig(withDotenv(process.env, process.cwd()));
  // stdout carries the command's output (keys included), so logs go to stderr; synchronously, so none are lost at exit.
  const logger = createLogger('warn', pino.destination({ fd: 2, sync: true }));
  // The job worker is never started: the CLI must not pick up the server's jobs.
  const container = await createContainer(config, { logger, migrate: !command.migratesItself });
  try {
    process.stdout.write(await run({ container, correlationId: randomUUID() }));
  } finally {
    await container.close();
  }
}

/** Exit codes: 2 for usage errors, 1 for everything else that failed (an unknown organization included). */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`agentry: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ConfigError) {
    // Already a complete, multi-line list of the problems, as main.ts prints it.
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  process.stderr.write(`agentry: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

// exitCode rather than exit(): a piped stdout is flushed before the process ends.
main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    process.exitCode = report(error);
  },
);
