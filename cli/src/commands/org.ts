import { ORG_KINDS, ORG_ROLES, type OrgKind, type OrgRole, type Registry } from '@airbox/registry';
import { parseCommandArgs } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { accountNamed, requireOrg } from '../registry-lookups.ts';
import {
  REGISTRY_OPTIONS,
  REGISTRY_USAGE,
  registryLocation,
  reportRegistryError,
  withRegistry,
} from '../registry-options.ts';

const usage = `usage: airbox org <add|list|member> … [--data-dir DIR] [--registry FILE|URL]

  add NAME --kind KIND --owner EMAIL
                    a new organisation (KIND: ${ORG_KINDS.join(', ')}) owned by that
                    account; prints {"id","name","kind","createdAt"} as JSON. Its page is
                    /org/ID; give it boxes with 'airbox device add ID --owner org:ID'
  list              one JSON object per organisation, by name, with its members and roles
  member ORG_ID EMAIL --role ROLE
                    puts the account in the organisation as ${ORG_ROLES.join(', ')};
                    --remove takes it out. The last owner stays: make another one first

${REGISTRY_USAGE}`;

const isKind = (s: string): s is OrgKind => (ORG_KINDS as readonly string[]).includes(s);
const isRole = (s: string): s is OrgRole => (ORG_ROLES as readonly string[]).includes(s);

/** One run's work, checked before the registry is opened. */
type Plan =
  | { action: 'add'; name: string; kind: OrgKind; ownerEmail: string }
  | { action: 'list' }
  | { action: 'member'; orgId: string; email: string; role: OrgRole | 'remove' };

interface Flags {
  kind?: string;
  owner?: string;
  role?: string;
  remove?: boolean;
}

export const orgCommand: Command = {
  name: 'org',
  summary: 'organisations (a school, a city office): add, list, set a member’s role',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        ...REGISTRY_OPTIONS,
        kind: { type: 'string' },
        owner: { type: 'string' },
        role: { type: 'string' },
        remove: { type: 'boolean' },
      },
      3,
    );
    const plan = planOf(positionals, values);
    try {
      await withRegistry(registryLocation(values), io.now, (r) => runPlan(r, io, plan));
      return 0;
    } catch (e) {
      return reportRegistryError(io, `org ${plan.action}`, e);
    }
  },
};

function planOf(positionals: string[], flags: Flags): Plan {
  const [action, first, second] = positionals;
  if (action === undefined) throw new UsageError('name an action');
  const given = (['kind', 'owner', 'role', 'remove'] as const).filter(
    (f) => flags[f] !== undefined,
  );
  const only = (allowed: readonly string[]) => {
    const stray = given.find((f) => !allowed.includes(f));
    if (stray !== undefined) throw new UsageError(`--${stray} does not go with '${action}'`);
  };
  if (action === 'list') {
    if (first !== undefined) throw new UsageError(`unexpected argument '${first}'`);
    only([]);
    return { action };
  }
  if (action === 'add') {
    only(['kind', 'owner']);
    if (first === undefined || second !== undefined) {
      throw new UsageError("'add' needs the name as one argument (quote a name with spaces)");
    }
    return { action, name: first, kind: kindOf(flags.kind), ownerEmail: ownerOf(flags.owner) };
  }
  if (action === 'member') {
    only(['role', 'remove']);
    if (first === undefined || second === undefined) {
      throw new UsageError("'member' needs an organisation id and an e-mail address");
    }
    return { action, orgId: first, email: second, role: roleOf(flags) };
  }
  throw new UsageError(`unknown action '${action}'`);
}

function kindOf(kind: string | undefined): OrgKind {
  if (kind === undefined || !isKind(kind)) {
    throw new UsageError(`--kind must be one of ${ORG_KINDS.join(', ')}, got '${kind ?? ''}'`);
  }
  return kind;
}

function ownerOf(owner: string | undefined): string {
  if (owner === undefined) {
    throw new UsageError("'add' needs --owner EMAIL: an organisation always has an owner");
  }
  return owner;
}

function roleOf(flags: Flags): OrgRole | 'remove' {
  if (flags.remove) {
    if (flags.role !== undefined) throw new UsageError('give --role or --remove, not both');
    return 'remove';
  }
  if (flags.role === undefined || !isRole(flags.role)) {
    throw new UsageError(
      `--role must be one of ${ORG_ROLES.join(', ')}, got '${flags.role ?? ''}'`,
    );
  }
  return flags.role;
}

async function runPlan(registry: Registry, io: CliIo, plan: Plan): Promise<void> {
  const out = (o: unknown) => io.stdout.write(JSON.stringify(o) + '\n');
  if (plan.action === 'list') {
    for (const org of await registry.orgs.list()) {
      const members = await registry.orgs.members(org.id);
      out({ ...org, members: members.map((m) => ({ email: m.account.email, role: m.role })) });
    }
  } else if (plan.action === 'add') {
    const owner = await accountNamed(registry, plan.ownerEmail);
    out(await registry.orgs.create({ name: plan.name, kind: plan.kind }, owner.id));
  } else {
    await requireOrg(registry, plan.orgId);
    const account = await accountNamed(registry, plan.email);
    if (plan.role === 'remove') await registry.orgs.removeMember(plan.orgId, account.id);
    else await registry.orgs.setMember(plan.orgId, account.id, plan.role);
    const now = plan.role === 'remove' ? 'no longer a member' : plan.role;
    io.stderr.write(`${account.email} is now ${now} of organisation ${plan.orgId}\n`);
  }
}
