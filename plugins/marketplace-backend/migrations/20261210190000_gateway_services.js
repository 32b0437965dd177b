// @ts-check

/**
 * The services as the gateway serves them, for gateways running as their own
 * process (they read no catalog): the portal backend writes every change of a
 * service here, with a revision that grows with every write, and gateways load
 * the table once and then only the rows past the revision they hold.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gateway_services', table => {
    table.comment(
      'Services as the gateway serves them, written by the portal backend on every change',
    );
    table
      .string('name')
      .primary()
      .notNullable()
      .comment('The service name: the model callers send');
    table.string('service_ref').notNullable().comment('Entity ref, lowercase');
    table
      .bigInteger('revision')
      .notNullable()
      .index()
      .comment('gateway_snapshot_state.revision of the write that changed it');
    table
      .boolean('removed')
      .notNullable()
      .defaultTo(false)
      .comment('The service left the catalog');
    table
      .text('service_json')
      .notNullable()
      .comment(
        'The service: name, ref, providerRef, entity, provider, status, unpublication',
      );
    table.bigInteger('updated_at').notNullable().comment('Epoch ms');
  });
  await knex.schema.createTable('gateway_snapshot_state', table => {
    table.comment(
      'One row: the revision of the last write to gateway_services (writes take it in order)',
    );
    table.integer('id').primary().notNullable();
    table.bigInteger('revision').notNullable();
  });
  await knex('gateway_snapshot_state').insert({ id: 1, revision: 0 });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gateway_snapshot_state');
  await knex.schema.dropTable('gateway_services');
};
