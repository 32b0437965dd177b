import { Config } from '@backstage/config';

/**
 * Environment variables a service may name directly. Anything else must be put
 * under `marketplace.secrets` on purpose: a ModelService (YAML or published) must
 * not be able to make the gateway send an arbitrary backend environment variable
 * (a database password, a session secret) to an upstream of its choosing.
 */
export const SECRET_ENV_PREFIX = 'MARKETPLACE_SECRET_';

/**
 * Resolves the upstream credentials that ModelService entities name with
 * `spec.endpoint.auth.secretRef`: `marketplace.secrets.<NAME>` in config first,
 * then the environment variable `<NAME>` when it starts with
 * {@link SECRET_ENV_PREFIX}. Values are never logged.
 */
export class SecretResolver {
  constructor(
    private readonly config: Config,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get(name: string): string | undefined {
    const fromConfig = this.config.getOptionalString(
      `marketplace.secrets.${name}`,
    );
    if (fromConfig) {
      return fromConfig;
    }
    if (!name.startsWith(SECRET_ENV_PREFIX)) {
      return undefined;
    }
    const fromEnv = this.env[name];
    return fromEnv ? fromEnv : undefined;
  }
}
