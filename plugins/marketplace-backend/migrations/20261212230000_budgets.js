// @ts-check

/**
 * Budgets per user and per team (the billing group of team-billed
 * subscriptions), their monthly counters, and the alerts sent at their
 * thresholds. The budget of one subscription keeps living in
 * subscriptions.spend_cap_micros (its amount, when hard); a row here adds its
 * mode and thresholds.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('budgets', table => {
    table.comment(
      'A monthly budget of a subscription, a user (all their subscriptions) or a team (its team-billed subscriptions)',
    );
    table
      .string('scope', 16)
      .notNullable()
      .comment("'subscription' | 'user' | 'team'");
    table
      .string('scope_ref')
      .notNullable()
      .comment('Subscription id, or the user or group entity ref, lowercase');
    table
      .bigInteger('amount_micros')
      .notNullable()
      .comment('The monthly budget in micro-USD');
    table
      .string('mode', 8)
      .notNullable()
      .comment("'hard': the gateway refuses past it; 'soft': alerts only");
    table
      .string('thresholds', 64)
      .notNullable()
      .comment('Alert thresholds in percent, comma-separated, ascending');
    table.string('updated_by').notNullable().comment('User entity ref');
    table.bigInteger('created_at').notNullable().comment('Epoch ms');
    table.bigInteger('updated_at').notNullable().comment('Epoch ms');
    table.primary(['scope', 'scope_ref']);
  });

  await knex.schema.createTable('budget_usage', table => {
    table.comment(
      'Spend and in-flight reservations per user and per team and month: the counters user and team budgets are enforced on (updated in the transactions of reservations and settlements)',
    );
    table.string('scope', 16).notNullable().comment("'user' | 'team'");
    table
      .string('scope_ref')
      .notNullable()
      .comment('User or group entity ref, lowercase');
    table.string('period', 7).notNullable().comment('UTC month, YYYY-MM');
    table
      .bigInteger('spend_micros')
      .notNullable()
      .defaultTo(0)
      .comment('Settled spend of the month');
    table
      .bigInteger('reserved_micros')
      .notNullable()
      .defaultTo(0)
      .comment('Spend held by in-flight requests');
    table.primary(['scope', 'scope_ref', 'period']);
  });

  await knex.schema.createTable('budget_alerts', table => {
    table.comment(
      'Each threshold alert of a budget, sent once per month (the row is written before sending)',
    );
    table.string('scope', 16).notNullable();
    table.string('scope_ref').notNullable();
    table.string('period', 7).notNullable().comment('UTC month, YYYY-MM');
    table.integer('threshold').notNullable().comment('Percent');
    table
      .bigInteger('amount_micros')
      .notNullable()
      .comment('The budget when it was crossed');
    table
      .bigInteger('spend_micros')
      .notNullable()
      .comment('The spend that crossed it');
    table.bigInteger('sent_at').notNullable().comment('Epoch ms');
    table.primary(['scope', 'scope_ref', 'period', 'threshold']);
  });

  await knex.schema.alterTable('usage_reservations', table => {
    table
      .bigInteger('budget_micros')
      .notNullable()
      .defaultTo(0)
      .comment(
        'What the reservation holds on the user and team counters (budget_usage)',
      );
  });

  // The counters of the current month start from what the ledger already has.
  const now = new Date();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const period = new Date(monthStart).toISOString().slice(0, 7);
  const spend = async (/** @type {string} */ column) =>
    /** @type {Array<{ ref: string, spend: number | string }>} */ (
      await knex('usage_ledger')
        .where('started_at', '>=', monthStart)
        .whereNotNull(column)
        .groupBy(column)
        .select({ ref: column })
        .sum({ spend: 'cost_micros' })
    );
  /** @type {Map<string, any>} */
  const rows = new Map();
  for (const [scope, column] of [
    ['user', 'user_ref'],
    ['team', 'team_ref'],
  ]) {
    for (const r of await spend(column)) {
      const ref = String(r.ref).toLocaleLowerCase('en-US');
      const key = `${scope}|${ref}`;
      const row = rows.get(key) ?? {
        scope,
        scope_ref: ref,
        period,
        spend_micros: 0,
        reserved_micros: 0,
      };
      row.spend_micros += Number(r.spend);
      rows.set(key, row);
    }
  }
  const backfill = [...rows.values()].filter(r => r.spend_micros > 0);
  for (let i = 0; i < backfill.length; i += 200) {
    await knex('budget_usage').insert(backfill.slice(i, i + 200));
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('usage_reservations', table => {
    table.dropColumn('budget_micros');
  });
  await knex.schema.dropTable('budget_alerts');
  await knex.schema.dropTable('budget_usage');
  await knex.schema.dropTable('budgets');
};
