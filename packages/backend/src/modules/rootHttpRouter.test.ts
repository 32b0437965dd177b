import express from 'express';
import http from 'node:http';
import net from 'node:net';
import request from 'supertest';
import { InputError } from '@backstage/errors';
import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { embeddedGatewayLane } from '@internal/plugin-marketplace-backend';
import { clientErrorHandler, configureRootHttpRouter } from './rootHttpRouter';

describe('the root router', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  function app() {
    const server = express();
    const routes = express.Router();
    routes.get('/api/x/bad', () => {
      throw new InputError('limit must be a whole number');
    });
    routes.get('/api/x/crash', () => {
      throw new Error('secret internals');
    });
    const middleware = MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    });
    configureRootHttpRouter({
      server: new http.Server(),
      middleware,
      // What Backstage's defaults end with (the rest is helmet, CORS, logging ...).
      applyDefaults() {
        server.use(routes);
        server.use(middleware.notFound());
        server.use(middleware.error());
      },
    });
    return server;
  }

  it('answers a path nobody serves with a 404 body naming it', async () => {
    const res = await request(app()).get('/api/nothing-here/x?y=1');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        name: 'NotFoundError',
        message: 'No route for GET /api/nothing-here/x',
      },
      request: { method: 'GET', url: '/api/nothing-here/x?y=1' },
      response: { statusCode: 404 },
    });
  });

  it('never puts a stack trace in an error answer, also when NODE_ENV is development', async () => {
    process.env.NODE_ENV = 'development';
    const server = app();
    const bad = await request(server).get('/api/x/bad');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('limit must be a whole number');
    expect(bad.body.error.stack).toBeUndefined();
    const crash = await request(server).get('/api/x/crash');
    expect(crash.status).toBe(500);
    expect(crash.body.error.stack).toBeUndefined();
    expect(JSON.stringify(crash.body)).not.toContain('.ts:');
  });

  it('answers headers that are too large with a 431 body', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.on('clientError', clientErrorHandler);
    await new Promise<void>(resolve => server.listen(0, resolve));
    const { port } = server.address() as net.AddressInfo;
    const answer = await new Promise<string>(resolve => {
      let received = '';
      const socket = net.connect(port, '127.0.0.1', () =>
        socket.write(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      socket.on('data', d => (received += d));
      socket.on('close', () => resolve(received));
    });
    server.close();
    expect(answer).toMatch(/^HTTP\/1.1 431 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({
      error: {
        name: 'InputError',
        message: 'The request headers or the URL are too large',
      },
      response: { statusCode: 431 },
    });
  });

  it("serves the embedded gateway's calls on its fast lane, ahead of express", async () => {
    const seen: string[] = [];
    const server = http.createServer(
      express().use((req, res) => {
        seen.push(`express ${req.url}`);
        res.end();
      }),
    );
    configureRootHttpRouter({
      server,
      middleware: MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }),
      applyDefaults() {},
    });
    const close = embeddedGatewayLane.register(
      '/api/marketplace/gateway',
      (req, res) => {
        seen.push(`lane ${req.url}`);
        res.end();
      },
    );
    try {
      await request(server).get('/api/marketplace/gateway/v1/models');
      await request(server).get('/api/marketplace/services');
      await request(server)
        .get('/api/marketplace/gateway/v1/models')
        .set('Origin', 'http://localhost:3000');
    } finally {
      close();
    }
    await request(server).get('/api/marketplace/gateway/v1/models');
    expect(seen).toEqual([
      'lane /v1/models',
      'express /api/marketplace/services',
      'express /api/marketplace/gateway/v1/models',
      'express /api/marketplace/gateway/v1/models',
    ]);
  });
});
