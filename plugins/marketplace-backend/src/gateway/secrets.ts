import { Config } from '@backstage/config';

/**
 * Resolves the upstream credentials that ModelService entities name with
 * `spec.endpoint.auth.secretRef`: `marketplace.secrets.<NAME>` in config first,
 * then the environment variable `<NAME>`. Values are never logged.
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
    const fromEnv = this.env[name];
    return fromEnv ? fromEnv : undefined;
  }
}
