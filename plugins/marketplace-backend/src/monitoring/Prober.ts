import { LoggerService } from '@backstage/backend-plugin-api';
import {
  isAvailableAt,
  ModelServiceEntityV1alpha1,
  ProbeErrorKind,
} from '@internal/plugin-marketplace-common';
import http from 'http';
import https from 'https';
import { DirectoryService } from '../catalog/directoryService';
import { EgressDeniedError, EgressPolicy } from '../egress/EgressPolicy';
import { SecretResolver } from '../gateway/secrets';
import {
  UpstreamCredentialError,
  upstreamAuthHeaders,
} from '../gateway/upstreamAuth';
import { ProbeRecord } from '../stores/monitoring/MonitoringStore';

/**
 * How a service is checked: `models` is `GET {baseUrl}/models` (free), `chat` a
 * one-token chat completion (exercises the model, and costs the provider one
 * token per check).
 */
export type ProbeMode = 'models' | 'chat';

/** A ModelService annotation that picks the check for one service: `models` or `chat`. */
export const PROBE_ANNOTATION = 'marketplace.acme.io/probe';

const BODY_LIMIT_BYTES = 1024 * 1024;

// Probes use their own small connection pools, never the gateway's.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/** What one check of an upstream found. */
export interface CheckResult {
  ok: boolean;
  httpStatus: number | null;
  errorKind: ProbeErrorKind | null;
  latencyMs: number;
  /** The egress policy refused the URL: nothing was sent, no latency to tell. */
  denied?: boolean;
}

function looksLikeModelList(body: any): boolean {
  return (
    !!body &&
    typeof body === 'object' &&
    Array.isArray(body.data) &&
    body.data.every(
      (m: any) => !!m && typeof m === 'object' && typeof m.id === 'string',
    )
  );
}

function looksLikeCompletion(body: any): boolean {
  return (
    !!body &&
    typeof body === 'object' &&
    Array.isArray(body.choices) &&
    body.choices.length > 0
  );
}

/**
 * Checks one upstream: sends the request, reads the whole answer within
 * `timeoutMs` and judges it. Up only for a 2xx answer with an OpenAI-shaped JSON
 * body; else down with the kind of failure.
 */
export function checkUpstream(options: {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: unknown;
  expect: 'models' | 'completion';
  timeoutMs: number;
  /** Where probes may go; by default public addresses only. */
  egress?: EgressPolicy;
}): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const egress = options.egress ?? new EgressPolicy();
  const denied: CheckResult = {
    ok: false,
    httpStatus: null,
    errorKind: 'connection',
    latencyMs: 0,
    denied: true,
  };
  let url: URL;
  try {
    url = egress.check(options.url);
  } catch (error) {
    return Promise.resolve(
      error instanceof EgressDeniedError
        ? denied
        : {
            ok: false,
            httpStatus: null,
            errorKind: 'connection',
            latencyMs: elapsed(),
          },
    );
  }
  const payload =
    options.body === undefined
      ? undefined
      : Buffer.from(JSON.stringify(options.body));
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<CheckResult>(resolve => {
    let settled = false;
    let httpStatus: number | null = null;
    const req = lib.request(url, {
      method: options.method,
      agent: url.protocol === 'https:' ? agents.https : agents.http,
      ...egress.requestOptions(url),
      headers: {
        ...options.headers,
        accept: 'application/json',
        ...(payload
          ? {
              'content-type': 'application/json',
              'content-length': String(payload.length),
            }
          : {}),
      },
    });
    const finish = (result: Omit<CheckResult, 'latencyMs'>) => {
      if (!settled) {
        settled = true;
        // The timer is set right below; finish never runs before it exists.
        // eslint-disable-next-line @typescript-eslint/no-use-before-define
        clearTimeout(timer);
        resolve({ ...result, latencyMs: elapsed() });
      }
    };
    const timer = setTimeout(() => {
      finish({ ok: false, httpStatus, errorKind: 'timeout' });
      req.destroy();
    }, options.timeoutMs);
    const failed = () =>
      finish({ ok: false, httpStatus, errorKind: 'connection' });
    req.on('error', error => {
      if (error instanceof EgressDeniedError && !settled) {
        settled = true;
        // eslint-disable-next-line @typescript-eslint/no-use-before-define
        clearTimeout(timer);
        resolve(denied);
        return;
      }
      failed();
    });
    req.on('response', res => {
      httpStatus = res.statusCode ?? null;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > BODY_LIMIT_BYTES) {
          finish({ ok: false, httpStatus, errorKind: 'bad_response' });
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', failed);
      res.on('aborted', failed);
      res.on('end', () => {
        if (httpStatus === null || httpStatus < 200 || httpStatus >= 300) {
          finish({ ok: false, httpStatus, errorKind: 'bad_status' });
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          finish({ ok: false, httpStatus, errorKind: 'bad_response' });
          return;
        }
        const shaped =
          options.expect === 'models'
            ? looksLikeModelList(body)
            : looksLikeCompletion(body);
        finish(
          shaped
            ? { ok: true, httpStatus, errorKind: null }
            : { ok: false, httpStatus, errorKind: 'bad_response' },
        );
      });
    });
    req.end(payload);
  });
}

/**
 * Whether the provider does not promise to answer at an instant: the service is
 * in a maintenance window (weekly or one-off, in its time zone), outside its
 * service hours, or its lifecycle says `maintenance`. Checks then count as
 * `maintenance`, not against uptime.
 */
export function isExcusedAt(
  entity: ModelServiceEntityV1alpha1,
  at: Date,
): boolean {
  return (
    entity.spec.lifecycle === 'maintenance' ||
    !isAvailableAt(entity.spec.availability, at)
  );
}

/** Runs async work over items with at most `limit` at a time. */
async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/**
 * The health prober: checks services' upstreams with the provider's credential
 * (the gateway's secret resolution), a timeout and bounded concurrency. It never
 * logs credentials.
 */
export class Prober {
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: {
      secrets: SecretResolver;
      logger: LoggerService;
      timeoutMs: number;
      concurrency: number;
      /** The check for services without the probe annotation. */
      mode: ProbeMode;
      clock?: () => number;
      /** Where upstreams may be (marketplace.egress); by default public addresses only. */
      egress?: EgressPolicy;
    },
  ) {}

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  modeOf(service: DirectoryService): ProbeMode {
    const annotated = service.entity.metadata.annotations?.[PROBE_ANNOTATION];
    return annotated === 'chat' || annotated === 'models'
      ? annotated
      : this.options.mode;
  }

  async probe(service: DirectoryService): Promise<ProbeRecord> {
    const probedAt = this.now();
    const { spec } = service.entity;
    const excused = isExcusedAt(service.entity, new Date(probedAt));
    const outcomeOf = (ok: boolean) => {
      if (excused) {
        return 'maintenance' as const;
      }
      return ok ? ('up' as const) : ('down' as const);
    };

    let headers: Record<string, string>;
    try {
      headers = await upstreamAuthHeaders(
        spec.endpoint,
        service.providerRef,
        this.options.secrets,
      );
    } catch (error) {
      // Nothing is sent: the credential is missing or another provider's.
      if (!(error instanceof UpstreamCredentialError)) {
        throw error;
      }
      if (!this.warned.has(service.ref)) {
        this.warned.add(service.ref);
        this.options.logger.warn(
          `Cannot probe ${service.ref}: ${error.message}`,
        );
      }
      return {
        serviceRef: service.ref,
        probedAt,
        outcome: outcomeOf(false),
        httpStatus: null,
        errorKind: 'credentials_missing',
        latencyMs: null,
      };
    }

    const base = spec.endpoint.baseUrl.replace(/\/+$/, '');
    const chat = this.modeOf(service) === 'chat';
    const result = await checkUpstream({
      url: chat ? `${base}/chat/completions` : `${base}/models`,
      method: chat ? 'POST' : 'GET',
      headers,
      body: chat
        ? {
            model:
              spec.endpoint.upstreamModel ?? spec.baseModel ?? service.name,
            messages: [{ role: 'user', content: 'ping' }],
            max_tokens: 1,
          }
        : undefined,
      expect: chat ? 'completion' : 'models',
      timeoutMs: this.options.timeoutMs,
      egress: this.options.egress,
    });
    return {
      serviceRef: service.ref,
      probedAt,
      outcome: outcomeOf(result.ok),
      httpStatus: result.httpStatus,
      errorKind: result.errorKind,
      // A refused URL was never called: no latency to tell.
      latencyMs: result.denied ? null : result.latencyMs,
    };
  }

  /** Checks every given service, `concurrency` at a time. */
  probeAll(services: DirectoryService[]): Promise<ProbeRecord[]> {
    return mapLimited(services, this.options.concurrency, s => this.probe(s));
  }
}
