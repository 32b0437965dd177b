import { LoggerService } from '@backstage/backend-plugin-api';

type Level = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * One JSON line per message on stdout, like the portal backend's production
 * log. Only the gateway's own messages are logged: never a request, a key or
 * a credential.
 */
export function createLogger(
  level: Level = 'info',
  meta: Record<string, unknown> = { service: 'marketplace-gateway' },
): LoggerService {
  const write =
    (at: Level) =>
    (message: string, extra?: Error | Record<string, unknown>) => {
      if (ORDER[at] > ORDER[level]) {
        return;
      }
      const fields =
        extra instanceof Error
          ? { error: extra.message }
          : (extra as Record<string, unknown> | undefined);
      process.stdout.write(
        `${JSON.stringify({
          timestamp: new Date().toISOString(),
          level: at,
          message,
          ...meta,
          ...fields,
        })}\n`,
      );
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (more: Record<string, unknown>) =>
      createLogger(level, { ...meta, ...more }),
  } as LoggerService;
}
