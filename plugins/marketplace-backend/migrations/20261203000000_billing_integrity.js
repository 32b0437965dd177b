// @ts-check

/**
 * Billing integrity:
 *
 * - `usage_ledger.usage_clamped`: the usage the upstream reported was outside
 *   what the request could produce (prompt beyond the gateway's count plus its
 *   tolerance, completion beyond the reserved budget, negative or not a number);
 *   the row bills the bounded counts.
 * - `subscriptions.pricing_json`: the service's prices when the subscription
 *   started. A later price increase applies to new subscriptions only; a decrease
 *   applies to everyone at once. Existing subscriptions get the latest recorded
 *   price of their service (none recorded: the current price applies, as before).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('usage_ledger', table => {
    table
      .boolean('usage_clamped')
      .notNullable()
      .defaultTo(false)
      .comment(
        'The upstream reported usage out of bounds; the bounded counts were billed',
      );
  });
  await knex.schema.alterTable('subscriptions', table => {
    table
      .text('pricing_json')
      .nullable()
      .comment(
        'ModelServicePricing at subscription time (JSON); increases after it do not apply',
      );
  });

  const prices = await knex('service_price_history').orderBy([
    { column: 'effective_from', order: 'asc' },
    { column: 'id', order: 'asc' },
  ]);
  /** @type {Map<string, string>} */
  const latest = new Map();
  for (const p of prices) {
    latest.set(
      p.service_ref,
      JSON.stringify({
        currency: 'USD',
        promptPer1kMicros: Number(p.prompt_per_1k_micros),
        completionPer1kMicros: Number(p.completion_per_1k_micros),
        tiers: JSON.parse(p.tiers_json),
      }),
    );
  }
  for (const [serviceRef, pricing] of latest) {
    await knex('subscriptions')
      .where({ service_ref: serviceRef })
      .whereNull('pricing_json')
      .update({ pricing_json: pricing });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('subscriptions', table => {
    table.dropColumn('pricing_json');
  });
  await knex.schema.alterTable('usage_ledger', table => {
    table.dropColumn('usage_clamped');
  });
};
