import { LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import fs from 'fs';
import path from 'path';

/** The URL path the sample team repository is served under, inside the plugin. */
export const SAMPLE_TEAM_REPO_PATH = '/sample-team-repo';

/**
 * A stand-in repository host for development: serves the YAML files of one
 * folder (`examples/sample-team-repo`) read-only over HTTP, the way a team's
 * repository host serves its raw `catalog-info.yaml`, so that "Register existing
 * component" can be tried without a real one. Only `.yaml`/`.yml` files inside
 * the folder are served.
 */
export function createSampleTeamRepoRouter(options: {
  directory: string;
  logger: LoggerService;
}): express.Router {
  const root = path.resolve(options.directory);
  const router = Router();
  options.logger.info(
    `Serving the sample team repository ${root} under ${SAMPLE_TEAM_REPO_PATH}/`,
  );
  router.get(`${SAMPLE_TEAM_REPO_PATH}/*`, async (req, res) => {
    let relative = '';
    try {
      relative = decodeURIComponent(req.path).slice(
        SAMPLE_TEAM_REPO_PATH.length + 1,
      );
    } catch {
      // A malformed escape: no such file.
    }
    const file = path.resolve(root, relative);
    const inside = file.startsWith(`${root}${path.sep}`);
    const stat = inside ? await fs.promises.stat(file).catch(() => null) : null;
    if (!stat?.isFile() || !/\.ya?ml$/.test(file)) {
      res
        .status(404)
        .type('text/plain')
        .send(`No file ${relative} in the sample team repository`);
      return;
    }
    res
      .type('text/yaml; charset=utf-8')
      .set('cache-control', 'no-cache')
      .send(await fs.promises.readFile(file, 'utf8'));
  });
  return router;
}
