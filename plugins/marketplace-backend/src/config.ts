import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  readRoleGroups,
  RoleGroups,
} from '@internal/plugin-marketplace-common';
import {
  DEFAULT_STREAM_LIMITS,
  EgressPolicy,
  GatewayRedisConfig,
  readGatewayRedisConfig,
} from '@internal/plugin-marketplace-gateway-node';
import os from 'os';
import {
  DEFAULT_MINIMUM_PROBES,
  DEFAULT_SLA_CREDIT_TIERS,
  SlaCreditTier,
} from './stores/analytics/SlaCredits';
import { MonitoringConfig } from './monitoring/Monitoring';
import { readRoutingConfig, RoutingConfig } from './routing/routeConfig';

/**
 * Every `marketplace.*` setting the plugin reads (see config.d.ts), read and
 * validated once at startup: a bad value stops the backend with an error that
 * names the key.
 */
export interface MarketplaceConfig {
  /** `marketplace.platformFeePercent` (0-100). */
  platformFeePercent: number;
  /** `marketplace.gateway.instanceId`, or hostname:port. */
  instanceId: string;
  /** `marketplace.gateway.upstreamTimeoutMs`. */
  upstreamTimeoutMs: number;
  /** `marketplace.gateway.maxRequestDurationMs`: the longest a forwarded request may take. */
  maxRequestMs: number;
  /** The reservation sweep settles only reservations older than this. */
  reservationMaxAgeMs: number;
  /** `marketplace.gateway.maxStreamEventBytes` and `maxStreamBytes`. */
  streamLimits: { maxEventBytes: number; maxStreamBytes: number };
  /** `marketplace.gateway.redis`. */
  redis: GatewayRedisConfig | undefined;
  /** `app.baseUrl`, for links in the gateway's answers. */
  portalBaseUrl: string | undefined;
  /** `marketplace.publishing.requireApproval`. */
  requireApproval: boolean;
  /** `marketplace.publishing.sunsetDays` (0-365). */
  sunsetDays: number;
  /** `marketplace.pricing.noticeDays` (0-365). */
  noticeDays: number;
  /** `marketplace.credentials.encryptionKeys`, decoded. */
  encryptionKeys: Buffer[];
  /** `marketplace.egress.allowedHosts`. */
  egress: EgressPolicy;
  /** `marketplace.monitoring.*`. */
  monitoring: MonitoringConfig;
  /** `marketplace.routes` and `marketplace.routing.*`. */
  routing: RoutingConfig;
  /** `marketplace.sla.*`. */
  sla: ReturnType<typeof readSlaCreditConfig>;
  /** `marketplace.admins.groups` and `marketplace.roles.*`. */
  roleGroups: RoleGroups;
}

function wholeDays(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!(Number.isInteger(value) && value >= 0 && value <= 365)) {
    throw new Error(
      `${key} must be a whole number of days between 0 and 365, got ${value}`,
    );
  }
  return value;
}

/** The port of `backend.listen`: `{ host, port }` or a string `[host]:port`. */
function listenPort(config: Config): string | number | undefined {
  const listen = config.getOptional('backend.listen');
  return typeof listen === 'string'
    ? listen.slice(listen.lastIndexOf(':') + 1)
    : config.getOptionalNumber('backend.listen.port');
}

/** Reads and validates the plugin's settings; throws naming the bad key. */
export function readMarketplaceConfig(
  config: Config,
  logger: LoggerService,
): MarketplaceConfig {
  const platformFeePercent =
    config.getOptionalNumber('marketplace.platformFeePercent') ?? 10;
  if (!(platformFeePercent >= 0 && platformFeePercent <= 100)) {
    throw new Error(
      `marketplace.platformFeePercent must be between 0 and 100, got ${platformFeePercent}`,
    );
  }
  const upstreamTimeoutMs =
    config.getOptionalNumber('marketplace.gateway.upstreamTimeoutMs') ??
    120_000;
  const maxRequestMs =
    config.getOptionalNumber('marketplace.gateway.maxRequestDurationMs') ??
    30 * 60_000;
  if (!(Number.isInteger(maxRequestMs) && maxRequestMs >= 1000)) {
    throw new Error(
      `marketplace.gateway.maxRequestDurationMs must be a whole number of milliseconds of at least 1000, got ${maxRequestMs}`,
    );
  }
  return {
    platformFeePercent,
    instanceId:
      config.getOptionalString('marketplace.gateway.instanceId') ??
      `${os.hostname()}:${listenPort(config) || 7007}`,
    upstreamTimeoutMs,
    maxRequestMs,
    // Never a request still in flight.
    reservationMaxAgeMs: Math.max(maxRequestMs, upstreamTimeoutMs) + 2 * 60_000,
    streamLimits: {
      maxEventBytes:
        config.getOptionalNumber('marketplace.gateway.maxStreamEventBytes') ??
        DEFAULT_STREAM_LIMITS.maxEventBytes,
      maxStreamBytes:
        config.getOptionalNumber('marketplace.gateway.maxStreamBytes') ??
        DEFAULT_STREAM_LIMITS.maxStreamBytes,
    },
    redis: readGatewayRedisConfig(config),
    portalBaseUrl: config.getOptionalString('app.baseUrl'),
    requireApproval:
      config.getOptionalBoolean('marketplace.publishing.requireApproval') ??
      true,
    sunsetDays: wholeDays(config, 'marketplace.publishing.sunsetDays', 30),
    noticeDays: wholeDays(config, 'marketplace.pricing.noticeDays', 30),
    encryptionKeys: readEncryptionKeys(config),
    egress: EgressPolicy.fromConfig(config),
    monitoring: readMonitoringConfig(config),
    routing: readRoutingConfig(config),
    sla: readSlaCreditConfig(config),
    roleGroups: readRoleGroups(config, m => logger.warn(m)),
  };
}

// --- the settings of the parts -----------------------------------------------

function integerSetting(
  config: Config,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = config.getOptionalNumber(`marketplace.monitoring.${key}`);
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `marketplace.monitoring.${key} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

/** Reads `marketplace.monitoring.*`; a bad value stops the backend, naming the key. */
export function readMonitoringConfig(config: Config): MonitoringConfig {
  const mode =
    config.getOptionalString('marketplace.monitoring.probeMode') ?? 'models';
  if (mode !== 'models' && mode !== 'chat') {
    throw new Error(
      `marketplace.monitoring.probeMode must be 'models' or 'chat', got '${mode}'`,
    );
  }
  return {
    enabled:
      config.getOptionalBoolean('marketplace.monitoring.enabled') ?? true,
    probeIntervalSeconds: integerSetting(
      config,
      'probeIntervalSeconds',
      60,
      1,
      86_400,
    ),
    probeTimeoutMs: integerSetting(
      config,
      'probeTimeoutMs',
      10_000,
      100,
      300_000,
    ),
    probeConcurrency: integerSetting(config, 'probeConcurrency', 8, 1, 256),
    probeMode: mode,
    // The 30-day windows need 30 days of probes and rollups.
    retentionDays: integerSetting(config, 'retentionDays', 90, 31, 3650),
  };
}

/**
 * `marketplace.sla.credits` (the credit table) and `marketplace.sla.minimumProbes`,
 * validated: a bad table stops the backend with the setting named.
 */
export function readSlaCreditConfig(config: Config): {
  tiers: SlaCreditTier[];
  minimumProbes: number;
} {
  const key = 'marketplace.sla.credits';
  let tiers = DEFAULT_SLA_CREDIT_TIERS;
  const configured = config.getOptionalConfigArray(key);
  if (configured) {
    tiers = configured.map((c, i) => {
      const raw = c.get('below');
      const below = raw === 'committed' ? ('committed' as const) : Number(raw);
      const percent = c.getNumber('percent');
      if (
        below !== 'committed' &&
        (!Number.isFinite(below) || below <= 0 || below > 100)
      ) {
        throw new Error(
          `${key}[${i}].below must be 'committed' or an uptime percent above 0 and at most 100, got ${raw}`,
        );
      }
      if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
        throw new Error(
          `${key}[${i}].percent must be a whole percent from 1 to 100, got ${percent}`,
        );
      }
      return { below, percent };
    });
  }
  const minimumProbes =
    config.getOptionalNumber('marketplace.sla.minimumProbes') ??
    DEFAULT_MINIMUM_PROBES;
  if (!Number.isInteger(minimumProbes) || minimumProbes < 1) {
    throw new Error(
      `marketplace.sla.minimumProbes must be a whole number of at least 1, got ${minimumProbes}`,
    );
  }
  return { tiers, minimumProbes };
}

/**
 * Reads `marketplace.credentials.encryptionKeys`: 32-byte keys, base64 or hex.
 * The first encrypts; all decrypt (so a new key can be put first while rows
 * encrypted with the old one are still readable, see {@link CredentialStore.reencrypt}).
 */
export function readEncryptionKeys(config: Config): Buffer[] {
  const raw =
    config.getOptionalStringArray('marketplace.credentials.encryptionKeys') ??
    [];
  return raw
    .filter(k => k.trim() !== '')
    .map((text, i) => {
      const trimmed = text.trim();
      const key = /^[0-9a-f]{64}$/i.test(trimmed)
        ? Buffer.from(trimmed, 'hex')
        : Buffer.from(trimmed, 'base64');
      if (key.length !== 32) {
        throw new Error(
          `marketplace.credentials.encryptionKeys[${i}] must be 32 random bytes, base64 (44 characters) or hex (64 characters)`,
        );
      }
      return key;
    });
}
