// @ts-check

/**
 * Publishing: services published through the portal, the approval queue (for
 * portal-published and catalog YAML services alike), unpublished services with
 * their sunset, and the price history.
 * Times are epoch milliseconds; money is integer micro-USD.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('published_services', table => {
    table.comment(
      'ModelServices published through the portal (scaffolder template or REST); the catalog gets them from our entity provider',
    );
    table.string('id', 36).primary().notNullable().comment('UUID');
    table
      .string('name')
      .notNullable()
      .unique()
      .comment('Entity name, also the gateway model');
    table
      .text('entity_json')
      .notNullable()
      .comment('The complete, validated ModelService entity');
    table
      .string('owner')
      .notNullable()
      .comment('Entity ref of the owning group (spec.owner)');
    table
      .string('provider_ref')
      .notNullable()
      .comment('Entity ref of the Provider (spec.providedBy)');
    table
      .string('created_by')
      .notNullable()
      .comment('Entity ref of the user who published it');
    table
      .string('idempotency_key', 200)
      .nullable()
      .comment('Idempotency-Key of the publishing request, if it had one');
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.index(['owner'], 'published_services_owner_idx');
  });

  await knex.schema.createTable('service_approvals', table => {
    table.comment(
      'Review state of every ModelService the marketplace has seen (portal-published or catalog YAML)',
    );
    table
      .string('service_ref')
      .primary()
      .notNullable()
      .comment('modelservice:default/<name>');
    table
      .string('status', 16)
      .notNullable()
      .comment('pending | approved | rejected');
    table.text('reason').nullable().comment('Why it was rejected');
    table.bigInteger('submitted_at').notNullable();
    table
      .string('decided_by')
      .nullable()
      .comment('Entity ref of the admin who decided');
    table.bigInteger('decided_at').nullable();
    table.index(['status'], 'service_approvals_status_idx');
  });

  await knex.schema.createTable('service_unpublications', table => {
    table.comment(
      'Unpublished services (portal-published or catalog YAML): no new subscriptions; the gateway serves existing subscribers until sunset_at',
    );
    table.string('service_ref').primary().notNullable();
    table.bigInteger('unpublished_at').notNullable();
    table
      .bigInteger('sunset_at')
      .notNullable()
      .comment('From then on the gateway answers 410');
    table
      .string('unpublished_by')
      .notNullable()
      .comment('Entity ref of the user who unpublished it');
  });

  await knex.schema.createTable('service_price_history', table => {
    table.comment(
      'Prices of each service over time: the first price seen and every change (YAML or REST). Ledger rows store their own cost',
    );
    table.increments('id').primary();
    table.string('service_ref').notNullable();
    table.bigInteger('prompt_per_1k_micros').notNullable();
    table.bigInteger('completion_per_1k_micros').notNullable();
    table
      .text('tiers_json')
      .notNullable()
      .comment('Volume tiers, JSON array (empty when none)');
    table.bigInteger('effective_from').notNullable().comment('Epoch ms');
    table.index(
      ['service_ref', 'effective_from'],
      'service_price_history_service_idx',
    );
  });

  // Services that were live before approvals existed stay live: they count as
  // approved. On a fresh database there are none, and every service starts pending.
  const now = Date.now();
  const seen = await knex('service_first_seen').select(
    'service_ref',
    'first_seen_at',
  );
  for (let i = 0; i < seen.length; i += 100) {
    await knex('service_approvals').insert(
      seen.slice(i, i + 100).map(row => ({
        service_ref: row.service_ref,
        status: 'approved',
        reason: null,
        submitted_at: row.first_seen_at,
        decided_by: null,
        decided_at: now,
      })),
    );
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('service_price_history');
  await knex.schema.dropTable('service_unpublications');
  await knex.schema.dropTable('service_approvals');
  await knex.schema.dropTable('published_services');
};
