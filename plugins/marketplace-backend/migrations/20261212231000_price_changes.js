// @ts-check

/**
 * Announced price changes of a service, and the prices each ledger row was
 * billed at (so statements can tell which price applied to which tokens).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('price_changes', table => {
    table.comment(
      'A price change its owners announced: from effective_at on, every subscriber pays it',
    );
    table.string('id', 36).primary().notNullable().comment('UUID');
    table
      .string('service_ref')
      .notNullable()
      .comment('Entity ref of the ModelService, lowercase');
    table
      .text('pricing_json')
      .notNullable()
      .comment('The new prices (ModelServicePricing)');
    table
      .text('previous_pricing_json')
      .notNullable()
      .comment('The prices it replaces, as they were when announced');
    table
      .text('entity_pricing_json')
      .notNullable()
      .comment(
        'The own prices of the entity when announced: if they change later, those apply',
      );
    table
      .bigInteger('effective_at')
      .notNullable()
      .comment('Epoch ms from which it applies');
    table.bigInteger('announced_at').notNullable().comment('Epoch ms');
    table.string('announced_by').notNullable().comment('User entity ref');
    table
      .bigInteger('withdrawn_at')
      .nullable()
      .comment('Set when withdrawn before it took effect');
    table.index(['service_ref', 'effective_at'], 'price_changes_service_idx');
  });
  await knex.schema.alterTable('usage_ledger', table => {
    table
      .bigInteger('prompt_price_micros')
      .nullable()
      .comment('Price per 1K prompt tokens this row was billed at');
    table
      .bigInteger('completion_price_micros')
      .nullable()
      .comment('Price per 1K completion tokens this row was billed at');
    table
      .string('price_change_id', 36)
      .nullable()
      .comment('The announced price change in force, if any');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('usage_ledger', table => {
    table.dropColumn('prompt_price_micros');
    table.dropColumn('completion_price_micros');
    table.dropColumn('price_change_id');
  });
  await knex.schema.dropTable('price_changes');
};
