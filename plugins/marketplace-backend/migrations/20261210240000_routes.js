// @ts-check

/**
 * Routes: one model name in front of several services of one base model. A
 * subscription to a route keeps `route:default/<name>` as its service_ref; each
 * request is billed to the member service that answered, so its ledger row
 * keeps that service in service_ref and the route in route_ref. A fallback
 * attempt (a member that failed before answering) is a row of its own, never
 * charged, with its attempt number.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('usage_reservations', table => {
    table
      .string('route_ref')
      .nullable()
      .comment(
        'The route the request came through (route:default/<name>), if any',
      );
  });
  await knex.schema.alterTable('usage_ledger', table => {
    table
      .string('route_ref')
      .nullable()
      .comment(
        'The route the request came through (route:default/<name>), if any',
      );
    table
      .integer('route_attempt')
      .nullable()
      .comment(
        '1 for the first member tried through a route, 2 for the first fallback, ...',
      );
    table.index(['route_ref', 'started_at'], 'usage_ledger_route_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('usage_ledger', table => {
    table.dropIndex(['route_ref', 'started_at'], 'usage_ledger_route_idx');
    table.dropColumn('route_attempt');
    table.dropColumn('route_ref');
  });
  await knex.schema.alterTable('usage_reservations', table => {
    table.dropColumn('route_ref');
  });
};
