import http from 'http';
import { AddressInfo } from 'net';
import {
  EgressDeniedError,
  EgressPolicy,
  isDeniedAddress,
  upstreamUrlProblem,
} from './EgressPolicy';

describe('isDeniedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '0.0.0.0',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '::1',
    '::',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    'fd00::1',
    'fc12:3456::1',
    'fe80::1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    'not-an-address',
  ])('denies %s', address => {
    expect(isDeniedAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111'])(
    'allows the public address %s',
    address => {
      expect(isDeniedAddress(address)).toBe(false);
    },
  );
});

describe('upstreamUrlProblem', () => {
  it.each([
    ['ftp://example.com/v1', 'must be an http:// or https:// URL'],
    ['https://user:pw@example.com/v1', 'user name or password'],
    ['https://token@example.com/v1', 'user name or password'],
    ['https://@example.com/v1', 'user name or password'],
    ['https://example.com/admin#', 'fragment'],
    ['https://example.com/admin#x', 'fragment'],
    ['https://example.com/admin?x=', 'query'],
    ['https://example.com/admin?', 'query'],
    ['not a url', 'not a valid URL'],
  ])('refuses %s', (url, problem) => {
    expect(upstreamUrlProblem(url)).toContain(problem);
  });

  it('accepts a plain base URL', () => {
    expect(upstreamUrlProblem('https://api.example.com/v1')).toBeUndefined();
    expect(
      upstreamUrlProblem('http://example.com:8080/a/b/v1'),
    ).toBeUndefined();
  });
});

describe('EgressPolicy', () => {
  const policy = new EgressPolicy({
    allowedHosts: ['localhost:7007', 'models.internal'],
    resolve: async hostname => {
      const table: Record<
        string,
        Array<{ address: string; family: number }>
      > = {
        'public.example': [{ address: '93.184.216.34', family: 4 }],
        'metadata.example': [{ address: '169.254.169.254', family: 4 }],
        'mixed.example': [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.1', family: 4 },
        ],
        'models.internal': [{ address: '10.1.2.3', family: 4 }],
      };
      return table[hostname] ?? [];
    },
  });

  it.each([
    'http://127.0.0.1/v1',
    'http://2130706433/v1',
    'http://0x7f.0.0.1/v1',
    'http://0177.0.0.1/v1',
    'http://0/v1',
    'http://[::1]/v1',
    'http://[::ffff:127.0.0.1]/v1',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1:8080/v1',
    'http://[fd00::1]/v1',
    'http://[fe80::1]/v1',
  ])('refuses the IP literal %s', url => {
    expect(() => policy.check(url)).toThrow(EgressDeniedError);
  });

  it('refuses credentials and fragments at call time', () => {
    expect(() => policy.check('http://u:p@public.example/v1')).toThrow(
      /user name or password/,
    );
    expect(() => policy.check('http://public.example/internal#')).toThrow(
      /fragment/,
    );
  });

  it('lets allow-listed hosts through, with their port', () => {
    expect(
      policy.check('http://localhost:7007/api/demo-upstream/v1').host,
    ).toBe('localhost:7007');
    expect(policy.requestOptions(new URL('http://localhost:7007/v1'))).toEqual(
      {},
    );
    // Another port of an allowed host is not allowed.
    expect(
      policy.requestOptions(new URL('http://localhost:7008/v1')).lookup,
    ).toBeDefined();
    expect(policy.isAllowedHost(new URL('https://models.internal/v1'))).toBe(
      true,
    );
    expect(policy.isAllowedHost(new URL('http://localhost/v1'))).toBe(false);
  });

  function lookup(url: string, options: any) {
    const { lookup: fn } = policy.requestOptions(new URL(url));
    return new Promise<{ error: any; address: any; family?: number }>(resolve =>
      fn!(new URL(url).hostname, options, (error, address, family) =>
        resolve({ error, address, family }),
      ),
    );
  }

  it('resolves host names and refuses private answers', async () => {
    expect(await lookup('http://public.example/v1', {})).toEqual({
      error: null,
      address: '93.184.216.34',
      family: 4,
    });
    expect(await lookup('http://public.example/v1', { all: true })).toEqual({
      error: null,
      address: [{ address: '93.184.216.34', family: 4 }],
    });
    const metadata = await lookup('http://metadata.example/v1', {});
    expect(metadata.error).toBeInstanceOf(EgressDeniedError);
    expect(metadata.error.message).toMatch(/private, loopback or link-local/);
    // One private address among public ones is enough to refuse the host.
    expect((await lookup('http://mixed.example/v1', {})).error).toBeInstanceOf(
      EgressDeniedError,
    );
    expect(
      (await lookup('http://nowhere.example/v1', {})).error,
    ).toBeInstanceOf(EgressDeniedError);
  });

  it('pins the connection: a host name resolving to loopback is never connected to', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.end('internal secret');
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const real = new EgressPolicy();
      // localhost resolves to loopback through the system resolver.
      const url = real.check(`http://localhost:${port}/v1`);
      const error = await new Promise<Error>(resolve => {
        const req = http.request(url, {
          ...real.requestOptions(url),
          agent: false,
        });
        req.on('error', resolve);
        req.on('response', () => resolve(new Error('connected')));
        req.end();
      });
      expect(error).toBeInstanceOf(EgressDeniedError);
      expect(hits).toBe(0);

      // With localhost:port on the allow list it connects.
      const allowing = new EgressPolicy({
        allowedHosts: [`localhost:${port}`],
      });
      const allowedUrl = allowing.check(`http://localhost:${port}/v1`);
      const status = await new Promise<number | undefined>(
        (resolve, reject) => {
          const req = http.request(allowedUrl, {
            ...allowing.requestOptions(allowedUrl),
            agent: false,
          });
          req.on('error', reject);
          req.on('response', res => {
            res.resume();
            resolve(res.statusCode);
          });
          req.end();
        },
      );
      expect(status).toBe(200);
      expect(hits).toBe(1);
    } finally {
      server.close();
    }
  });

  it('reads the allow list from config', () => {
    const { ConfigReader } = jest.requireActual('@backstage/config');
    const fromConfig = EgressPolicy.fromConfig(
      new ConfigReader({
        marketplace: { egress: { allowedHosts: ['LocalHost:7007'] } },
      }),
    );
    expect(fromConfig.isAllowedHost(new URL('http://localhost:7007/v1'))).toBe(
      true,
    );
    expect(
      EgressPolicy.fromConfig(new ConfigReader({})).isAllowedHost(
        new URL('http://localhost:7007/v1'),
      ),
    ).toBe(false);
  });
});
