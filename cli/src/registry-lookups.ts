import { RegistryError, type Account, type Owner, type Registry } from '@airbox/registry';

/**
 * Accounts and organisations named on the command line: by e-mail, as an operator knows
 * people, and an organisation by `org:ID` (ids are UUIDs; `airbox org list` shows them).
 */

/** The account with this e-mail, or 'not-found' naming it and where to look. */
export async function accountNamed(registry: Registry, email: string): Promise<Account> {
  const account = await registry.accounts.byEmail(email);
  if (account === null) {
    throw new RegistryError('not-found', `no account has the e-mail '${email}'`, {
      hint: "'airbox account list' shows them; 'airbox account add EMAIL' makes one",
    });
  }
  return account;
}

/** An organisation by id, or 'not-found'. */
export async function requireOrg(registry: Registry, orgId: string): Promise<void> {
  if ((await registry.orgs.get(orgId)) === null) {
    throw new RegistryError('not-found', `no organisation has the id '${orgId}'`, {
      hint: "'airbox org list' shows them",
    });
  }
}

const ORG_PREFIX = 'org:';

/** `--owner EMAIL` is that account; `--owner org:ID` that organisation. */
export async function ownerNamed(registry: Registry, spec: string): Promise<Owner> {
  if (spec.startsWith(ORG_PREFIX)) {
    const id = spec.slice(ORG_PREFIX.length);
    await requireOrg(registry, id);
    return { kind: 'org', id };
  }
  return { kind: 'account', id: (await accountNamed(registry, spec)).id };
}
