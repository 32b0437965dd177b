/*
 * The reliability suite's upstream, in a process of its own so that it outlives
 * the backend the suite kills: the demo upstream's real router (the model
 * simulator the sample services call) under /api/demo-upstream, with its own
 * request log, and the faults the suite provokes under /faults/<fault>/v1.
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs reliability/upstream.ts
 *
 * Settings come as JSON in RELIABILITY_UPSTREAM: { port, apiKey, logFile, models }.
 * Prints `ready <port>` when listening.
 */
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { createRouter } from '@internal/plugin-marketplace-demo-upstream-backend';
import express, { Request, Response } from 'express';
import fs from 'node:fs';

interface Settings {
  port: number;
  apiKey: string;
  /** One JSON line per chat request: its x-request-id and how it ended. */
  logFile: string;
  models: JsonObject[];
}

const settings: Settings = JSON.parse(process.env.RELIABILITY_UPSTREAM!);

const logger = {
  info: () => {},
  debug: () => {},
  warn: (m: string) => process.stderr.write(`[upstream] ${m}\n`),
  error: (m: string) => process.stderr.write(`[upstream] ${m}\n`),
  child() {
    return logger;
  },
};

/**
 * The upstream's own record of each chat request it received: `answered` once its
 * answer was written completely, `cut` when the caller went away first.
 */
function requestLog(req: Request, res: Response, next: () => void) {
  if (req.method !== 'POST' || !req.path.endsWith('/chat/completions')) {
    next();
    return;
  }
  const requestId = req.header('x-request-id') ?? null;
  const startedAt = Date.now();
  let written = false;
  const write = (outcome: string) => {
    if (written) return;
    written = true;
    fs.appendFileSync(
      settings.logFile,
      `${JSON.stringify({
        requestId,
        outcome,
        status: res.statusCode,
        startedAt,
        finishedAt: Date.now(),
      })}\n`,
    );
  };
  res.on('finish', () => write('answered'));
  res.on('close', () => write('cut'));
  next();
}

const OPENAI_ERROR = {
  error: {
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    param: null,
    code: 'server_error',
  },
};

/** What each fault does to a chat request. */
function faults() {
  const router = express.Router();
  router.post('/faults/:fault/v1/chat/completions', (req, res) => {
    const stream = Boolean(req.body?.stream);
    switch (req.params.fault) {
      case 'hang':
        // Headers never sent: the socket stays open until the caller gives up.
        req.socket.setTimeout(0);
        return;
      case 'storm':
        res.status(500).json(OPENAI_ERROR);
        return;
      case 'badjson':
        res.status(200).type('application/json').send('{"id":"x","choices":[');
        return;
      case 'cut':
        if (stream) {
          res.status(200).set({
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache',
          });
          res.flushHeaders();
          const chunk = {
            id: 'chatcmpl-cut',
            object: 'chat.completion.chunk',
            created: Math.floor(Date.now() / 1000),
            model: req.body?.model ?? 'x',
            choices: [
              {
                index: 0,
                delta: { content: 'half an ans' },
                finish_reason: null,
              },
            ],
          };
          res.write(`data: ${JSON.stringify(chunk)}\n\n`);
          setTimeout(() => res.socket?.destroy(), 50);
        } else {
          res.status(200).set({
            'content-type': 'application/json',
            'content-length': '400',
          });
          res.write('{"id":"chatcmpl-cut","object":"chat.completion","choi');
          setTimeout(() => res.socket?.destroy(), 50);
        }
        return;
      default:
        res.status(404).json({ error: { message: 'unknown fault' } });
    }
  });
  // The prober's checks.
  router.get('/faults/:fault/v1/models', (req, res) => {
    if (req.params.fault === 'hang') return;
    res.status(500).json(OPENAI_ERROR);
  });
  return router;
}

async function main() {
  const config = new ConfigReader({
    marketplace: {
      demoUpstream: {
        enabled: true,
        apiKey: settings.apiKey,
        defaults: {
          timeToFirstTokenMs: 5,
          tokensPerSecond: 5000,
          failureRate: 0,
        },
        models: settings.models,
      },
    },
  });
  const app = express();
  app.use(requestLog);
  app.use(express.json({ limit: '8mb' }));
  app.use(faults());
  app.use(
    '/api/demo-upstream',
    await createRouter({ config: config as any, logger: logger as any }),
  );
  const server = app.listen(settings.port, '127.0.0.1', () => {
    process.stdout.write(`ready ${settings.port}\n`);
  });
  server.keepAliveTimeout = 30_000;
}

main().catch(e => {
  process.stderr.write(`[upstream] ${e?.stack ?? e}\n`);
  process.exit(1);
});
