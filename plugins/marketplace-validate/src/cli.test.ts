import fs from 'fs';
import os from 'os';
import path from 'path';
import { run } from './cli';

const REPO = path.resolve(__dirname, '../../..');
const VALID = 'examples/sample-team-repo/catalog-info.yaml';
const INVALID = 'examples/sample-team-repo/invalid/catalog-info.yaml';

async function cli(
  argv: string[],
  options: { fetch?: any; env?: object } = {},
) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: t => (stdout += t),
    stderr: t => (stderr += t),
    env: { ...options.env },
    cwd: REPO,
    fetch: options.fetch,
  });
  return { code, stdout, stderr };
}

/** The credential bindings of the portal below, as the backend answers service tokens. */
const BINDINGS = [
  {
    name: 'DEMO_UPSTREAM_API_KEY',
    providers: ['provider:default/acme-ai-platform'],
  },
];

/**
 * A portal that knows some entities (by ref), answers the service-name check
 * and tells the credential bindings (null: refuses, as to a user's token).
 */
function portal(
  entities: Record<string, object>,
  names: Record<string, { available: boolean; reason?: string }> = {},
  bindings: typeof BINDINGS | null = BINDINGS,
) {
  const calls: { url: string; auth?: string }[] = [];
  const fetchImpl = jest.fn(async (url: string, init: any) => {
    calls.push({ url, auth: init?.headers?.authorization });
    const byName =
      /\/api\/catalog\/entities\/by-name\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url);
    if (byName) {
      const ref = `${byName[1]}:${byName[2]}/${byName[3]}`.toLowerCase();
      const entity = entities[ref];
      return new Response(JSON.stringify(entity ?? { error: {} }), {
        status: entity ? 200 : 404,
      });
    }
    if (url.endsWith('/api/marketplace/v1/internal/credential-bindings')) {
      return bindings
        ? new Response(JSON.stringify({ bindings }))
        : new Response(JSON.stringify({ error: {} }), { status: 403 });
    }
    const name = /\/service-names\/([^/]+)$/.exec(url);
    if (name) {
      return new Response(
        JSON.stringify(names[name[1]] ?? { name: name[1], available: true }),
      );
    }
    return new Response('{}', { status: 500 });
  });
  return { fetchImpl, calls };
}

describe('marketplace-validate', () => {
  it('passes a valid file offline, with exit code 0', async () => {
    const res = await cli([VALID]);
    expect(res).toEqual({
      code: 0,
      stdout: `${VALID}: ModelService acme-support-assistant (line 9): ok\nNo problems in 1 file (offline)\n`,
      stderr: '',
    });
  });

  it('lists every problem of an invalid file with its line, exit code 1', async () => {
    const res = await cli([INVALID, VALID]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      `${INVALID}: ModelService acme-draft-assistant (line 6): 6 problems\n` +
        '  error: line 13: spec.owner is required\n' +
        '  error: line 13: spec.lifecycle is required\n' +
        '  error: line 17: spec.pricing.promptPer1kMicros must be an integer (a whole number), got 0.2\n' +
        '  error: line 19: spec.contextWindow must be an integer (a whole number), got "128k"\n',
    );
    expect(res.stdout).toContain(
      `${VALID}: ModelService acme-support-assistant (line 9): ok`,
    );
    expect(res.stdout).toMatch(/6 problems in 2 files \(offline\)\n$/);
  });

  it('annotates the lines in GitHub Actions and prints JSON on request', async () => {
    const github = await cli([INVALID], { env: { GITHUB_ACTIONS: 'true' } });
    expect(github.stdout).toContain(
      `::error file=${INVALID},line=19::spec.contextWindow must be an integer (a whole number), got "128k"`,
    );
    const json = await cli(['--json', INVALID]);
    expect(json.code).toBe(1);
    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ ok: false, errors: 6, warnings: 0 });
    expect(body.files[0].entities[0].findings[0]).toEqual({
      field: 'spec.owner',
      message: 'is required',
      line: 13,
      severity: 'error',
    });
  });

  it('reports broken YAML, other kinds and unknown marketplace kinds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-'));
    const file = path.join(dir, 'catalog-info.yaml');
    fs.writeFileSync(
      file,
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata: { name: web }',
        '---',
        'apiVersion: marketplace.acme.io/v1alpha1',
        'kind: ModelSrvice',
        'metadata: { name: typo }',
        '---',
        'kind: [unclosed',
      ].join('\n'),
    );
    const res = await cli([file]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      'Component web (line 1): not a marketplace kind, left to the catalog',
    );
    expect(res.stdout).toContain(
      'ModelSrvice typo (line 5): 1 problem\n  error: line 6: kind must be ModelService or Provider',
    );
    expect(res.stdout).toMatch(/error: line 9: is not valid YAML/);
    fs.rmSync(dir, { recursive: true });
  });

  it('exits 2 when it cannot run', async () => {
    expect((await cli([])).code).toBe(2);
    const missing = await cli(['nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read nope.yaml');
    expect((await cli(['--bogus', VALID])).code).toBe(2);
    expect((await cli(['--help'])).stdout).toContain(
      'Usage: marketplace-validate',
    );
  });

  describe('with --portal', () => {
    const known = {
      'group:default/ai-platform-team': { kind: 'Group' },
      'provider:default/acme-ai-platform': { kind: 'Provider' },
    };

    it('checks references and the name with the token, and passes when all is well', async () => {
      const { fetchImpl, calls } = portal(known);
      const res = await cli(['--portal', 'http://portal.test/', VALID], {
        fetch: fetchImpl,
        env: { MARKETPLACE_TOKEN: 'tok' },
      });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('(checked against http://portal.test/)');
      expect(calls.map(c => c.url)).toEqual([
        'http://portal.test/api/catalog/entities/by-name/group/default/ai-platform-team',
        'http://portal.test/api/catalog/entities/by-name/provider/default/acme-ai-platform',
        'http://portal.test/api/marketplace/v1/internal/credential-bindings',
        'http://portal.test/api/catalog/entities/by-name/modelservice/default/acme-support-assistant',
        'http://portal.test/api/marketplace/v1/provider/service-names/acme-support-assistant',
      ]);
      expect(calls.every(c => c.auth === 'Bearer tok')).toBe(true);
    });

    it('refuses a provider or owner the portal does not have, and a taken name', async () => {
      const { fetchImpl } = portal(
        { 'group:default/ai-platform-team': { kind: 'Group' } },
        {
          'acme-support-assistant': {
            available: false,
            reason: 'a service under review has this name',
          },
        },
      );
      const res = await cli(
        ['--portal', 'http://portal.test', '--token', 't', VALID],
        {
          fetch: fetchImpl,
        },
      );
      expect(res.code).toBe(1);
      expect(res.stdout).toContain(
        "  error: line 20: spec.providedBy names provider:default/acme-ai-platform, but there is no such Provider in the portal's catalog\n",
      );
      expect(res.stdout).toContain(
        '  error: line 12: metadata.name is taken: a service under review has this name\n',
      );
    });

    it('refuses a credential the provider may not use, and warns when the portal does not tell', async () => {
      // Bound to another provider only: the service would send its key elsewhere.
      const stolen = await cli(['--portal', 'http://portal.test', VALID], {
        fetch: portal(known, {}, [
          {
            name: 'DEMO_UPSTREAM_API_KEY',
            providers: ['provider:default/acme-research-llm'],
          },
        ]).fetchImpl,
      });
      expect(stolen.code).toBe(1);
      expect(stolen.stdout).toContain(
        "  error: line 42: spec.endpoint.auth.secretRef names the credential 'DEMO_UPSTREAM_API_KEY', which belongs to provider:default/acme-research-llm, not to provider:default/acme-ai-platform; a service may only use its own provider's credentials\n",
      );
      // No credential of that name at all.
      const missing = await cli(['--portal', 'http://portal.test', VALID], {
        fetch: portal(known, {}, []).fetchImpl,
      });
      expect(missing.code).toBe(1);
      expect(missing.stdout).toContain(
        "spec.endpoint.auth.secretRef names 'DEMO_UPSTREAM_API_KEY', but provider:default/acme-ai-platform has no credential of that name",
      );
      // Unbound (development): every provider may use it.
      const shared = await cli(['--portal', 'http://portal.test', VALID], {
        fetch: portal(known, {}, [
          { name: 'DEMO_UPSTREAM_API_KEY', providers: null as any },
        ]).fetchImpl,
      });
      expect(shared.code).toBe(0);
      // A user's token may not read the bindings: a warning, not a pass in silence.
      const unknown = await cli(['--portal', 'http://portal.test', VALID], {
        fetch: portal(known, {}, null).fetchImpl,
      });
      expect(unknown.code).toBe(0);
      expect(unknown.stdout).toContain(
        'warning: line 42: spec.endpoint.auth.secretRef was not checked',
      );
    });

    it('knows the file it was registered from, and warns when it cannot tell', async () => {
      const registered = {
        ...known,
        'modelservice:default/acme-support-assistant': {
          metadata: {
            annotations: {
              'backstage.io/managed-by-location':
                'url:https://git.acme.io/team/catalog-info.yaml',
            },
          },
        },
      };
      const same = await cli(
        [
          '--portal',
          'http://portal.test',
          '--location',
          'https://git.acme.io/team/catalog-info.yaml',
          VALID,
        ],
        { fetch: portal(registered).fetchImpl },
      );
      expect(same.code).toBe(0);
      expect(same.stdout).not.toContain('metadata.name');

      const other = await cli(
        [
          '--portal',
          'http://portal.test',
          '--location',
          'https://git.acme.io/other/catalog-info.yaml',
          VALID,
        ],
        { fetch: portal(registered).fetchImpl },
      );
      expect(other.code).toBe(1);
      expect(other.stdout).toContain(
        'metadata.name is taken: modelservice:default/acme-support-assistant is already in the catalog from url:https://git.acme.io/team/catalog-info.yaml',
      );

      const unknown = await cli(['--portal', 'http://portal.test', VALID], {
        fetch: portal(registered).fetchImpl,
      });
      expect(unknown.code).toBe(0);
      expect(unknown.stdout).toContain(
        'warning: line 12: metadata.name is already in the catalog',
      );
      expect(unknown.stdout).toContain('No problems, 1 warning in 1 file');
    });

    it('exits 2 when the portal cannot be asked', async () => {
      const denied = await cli(['--portal', 'http://portal.test', VALID], {
        fetch: async () =>
          new Response(JSON.stringify({ error: { message: 'bad token' } }), {
            status: 401,
          }),
      });
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain(
        'the catalog answered 401 for group:default/ai-platform-team: bad token',
      );
      const down = await cli(['--portal', 'http://portal.test', VALID], {
        fetch: async () => {
          throw new Error('ECONNREFUSED');
        },
      });
      expect(down.code).toBe(2);
      expect(down.stderr).toContain(
        'cannot reach http://portal.test: ECONNREFUSED',
      );
    });
  });
});
