import { BudgetScope } from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import { Access } from './access';
import { BudgetService, BudgetServiceOptions } from './budgets/BudgetService';

export type BudgetsRouterOptions = BudgetServiceOptions & { access: Access };

/**
 * Budgets (`/v1/budgets`) and the usage summaries for scripts
 * (`/v1/teams/{ref}/usage`; the subscription's is in router.ts). The rules of
 * who sets which budget are in {@link BudgetService}.
 */
export function createBudgetsRouter(
  options: BudgetsRouterOptions,
): express.Router {
  const { access } = options;
  const budgets = new BudgetService(options);
  const router = createApiRouter();

  router.get('/v1/budgets', async (req, res) => {
    const query = { scope: req.query.scope, all: req.query.all === 'true' };
    const me = await access.caller(req);
    res.json(await budgets.list(me, query));
  });

  router.get('/v1/budgets/:scope/:ref', async (req, res) => {
    const scope: BudgetScope = req.params.scope;
    const ref = budgets.refOf(scope, req.params.ref);
    const me = await access.caller(req);
    res.json({ budget: await budgets.get(me, scope, ref) });
  });

  router.put('/v1/budgets/:scope/:ref', async (req, res) => {
    const scope: BudgetScope = req.params.scope;
    const ref = budgets.refOf(scope, req.params.ref);
    const input = budgets.inputOf(req.body);
    const me = await access.caller(req);
    res.json({ budget: await budgets.put(me, scope, ref, input) });
  });

  router.delete('/v1/budgets/:scope/:ref', async (req, res) => {
    const scope: BudgetScope = req.params.scope;
    const ref = budgets.refOf(scope, req.params.ref);
    const me = await access.caller(req);
    await budgets.remove(me, scope, ref);
    res.status(204).end();
  });

  router.get('/v1/teams/:ref/usage', async (req, res) => {
    const ref = budgets.refOf('team', req.params.ref);
    const me = await access.caller(req);
    res.json(await budgets.teamUsage(me, ref));
  });

  return router;
}
