import { Config } from '@backstage/config';
import { z } from 'zod';

/** The config key everything of this plugin lives under. */
export const CONFIG_ROOT = 'marketplace.demoUpstream';

/**
 * A model served by the simulator, with every setting resolved.
 *
 * @public
 */
export interface SimulatedModel {
  id: string;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  failureRate: number;
  /**
   * The status of the failures `failureRate` injects; unset: half 503
   * (overloaded), half 500.
   */
  failureStatus?: 429 | 500 | 502 | 503;
  contextWindow: number;
  maxOutputTokens: number;
  ownedBy: string;
}

/**
 * The validated simulator settings.
 *
 * @public
 */
export interface DemoUpstreamSettings {
  apiKey: string;
  models: Map<string, SimulatedModel>;
}

const DEFAULT_LATENCY = {
  timeToFirstTokenMs: 300,
  tokensPerSecond: 60,
  failureRate: 0,
};
const DEFAULT_CONTEXT_WINDOW = 128_000;
const DEFAULT_MAX_OUTPUT_TOKENS = 16_384;
const DEFAULT_OWNED_BY = 'demo-upstream';
const BUILT_IN_MODEL_IDS = ['gpt-4o', 'gpt-4o-mini'];

const latencyFields = {
  timeToFirstTokenMs: z.number().int().min(0).max(600_000).optional(),
  tokensPerSecond: z.number().positive().max(1_000_000_000).optional(),
  failureRate: z.number().min(0).max(1).optional(),
};

const modelSchema = z.object({
  id: z.string().min(1),
  ...latencyFields,
  failureStatus: z
    .union([z.literal(429), z.literal(500), z.literal(502), z.literal(503)])
    .optional(),
  contextWindow: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  ownedBy: z.string().min(1).optional(),
});

type ModelEntry = z.infer<typeof modelSchema>;

const configSchema = z.object({
  apiKey: z
    .string({
      error: issue =>
        issue.input === undefined
          ? 'is required when the demo upstream is enabled'
          : 'must be a string',
    })
    .min(1, { error: 'must not be empty' }),
  defaults: z.object(latencyFields).optional(),
  models: z
    .array(modelSchema)
    .optional()
    .superRefine((models, ctx) => {
      const seen = new Set<string>();
      models?.forEach((model, index) => {
        if (seen.has(model.id)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `duplicate model id '${model.id}'`,
          });
        }
        seen.add(model.id);
      });
    }),
});

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, segment) => {
    if (typeof segment === 'number') {
      return `${acc}[${segment}]`;
    }
    return `${acc}.${String(segment)}`;
  }, CONFIG_ROOT);
}

/**
 * Reads and validates `marketplace.demoUpstream`.
 *
 * Returns `undefined` when the simulator is not enabled; throws an error
 * naming the offending key when the configuration is invalid.
 *
 * @public
 */
export function readDemoUpstreamConfig(
  config: Config,
): DemoUpstreamSettings | undefined {
  const enabled = config.getOptionalBoolean(`${CONFIG_ROOT}.enabled`);
  if (enabled !== true) {
    return undefined;
  }

  const raw = config.getConfig(CONFIG_ROOT).get();
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const details = result.error.issues
      .map(issue => `${formatPath(issue.path)}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid configuration: ${details}`);
  }

  const { apiKey, defaults, models } = result.data;
  const entries: ModelEntry[] =
    models ?? BUILT_IN_MODEL_IDS.map(id => ({ id }));

  return {
    apiKey,
    models: new Map(
      entries.map((entry): [string, SimulatedModel] => [
        entry.id,
        {
          id: entry.id,
          timeToFirstTokenMs:
            entry.timeToFirstTokenMs ??
            defaults?.timeToFirstTokenMs ??
            DEFAULT_LATENCY.timeToFirstTokenMs,
          tokensPerSecond:
            entry.tokensPerSecond ??
            defaults?.tokensPerSecond ??
            DEFAULT_LATENCY.tokensPerSecond,
          failureRate:
            entry.failureRate ??
            defaults?.failureRate ??
            DEFAULT_LATENCY.failureRate,
          ...(entry.failureStatus
            ? { failureStatus: entry.failureStatus }
            : {}),
          contextWindow: entry.contextWindow ?? DEFAULT_CONTEXT_WINDOW,
          maxOutputTokens: entry.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
          ownedBy: entry.ownedBy ?? DEFAULT_OWNED_BY,
        },
      ]),
    ),
  };
}
