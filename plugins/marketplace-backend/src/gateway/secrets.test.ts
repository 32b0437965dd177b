import { ConfigReader } from '@backstage/config';
import { SecretResolver } from './secrets';

describe('SecretResolver', () => {
  const env = {
    MARKETPLACE_SECRET_TEAM_LLAMA: 'from-env',
    POSTGRES_PASSWORD: 'db-password',
    BACKEND_SECRET: 'session-secret',
  };

  it('reads marketplace.secrets first', () => {
    const secrets = new SecretResolver(
      new ConfigReader({
        marketplace: {
          secrets: { MARKETPLACE_SECRET_TEAM_LLAMA: 'from-config', UP: 'x' },
        },
      }),
      env,
    );
    expect(secrets.get('MARKETPLACE_SECRET_TEAM_LLAMA')).toBe('from-config');
    expect(secrets.get('UP')).toBe('x');
  });

  it('falls back to environment variables with the MARKETPLACE_SECRET_ prefix only', () => {
    const secrets = new SecretResolver(new ConfigReader({}), env);
    expect(secrets.get('MARKETPLACE_SECRET_TEAM_LLAMA')).toBe('from-env');
    // A service naming any other variable gets nothing: no exfiltration of
    // the backend's own secrets to an upstream the service points at.
    expect(secrets.get('POSTGRES_PASSWORD')).toBeUndefined();
    expect(secrets.get('BACKEND_SECRET')).toBeUndefined();
    expect(secrets.get('MARKETPLACE_SECRET_MISSING')).toBeUndefined();
  });
});
