import { NotFoundError } from '@backstage/errors';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import { ServiceTimes } from '../stores/ServiceTimesStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { Monitoring } from '../monitoring/Monitoring';
import { Access, resourceOf } from './access';

export interface MetricsRouterOptions {
  access: Access;
  directory: ServiceDirectory;
  monitoring: Monitoring;
  /** createdAt / updatedAt of a service. */
  times?: (ref: string) => Promise<ServiceTimes | undefined>;
}

/**
 * The monitoring API: measured uptime, latency and traffic of a service beside
 * its committed SLA. Visible like the service itself: approved services to every
 * signed-in user, services under review (or rejected) only to their owners and
 * the admins (404 for everyone else).
 */
export function createMetricsRouter(
  options: MetricsRouterOptions,
): express.Router {
  const { access, directory, monitoring } = options;
  const router = createApiRouter();

  router.get('/marketplace/services/:name/metrics', async (req, res) => {
    const me = await access.caller(req);
    const { name } = req.params;
    const window = req.query.window ?? '24h';
    const service = await directory.get(name);
    if (
      !service ||
      (service.status !== 'approved' &&
        !(await access.mayManage(me, resourceOf(service))))
    ) {
      throw new NotFoundError(`No model service named '${name}'`);
    }
    res.json({
      metrics: await monitoring.metricsOf(
        service,
        window,
        await options.times?.(service.ref),
      ),
    });
  });

  return router;
}
