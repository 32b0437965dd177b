// @ts-check

/**
 * An approval is bound to what the admin reviewed: the hash of the reviewed
 * parts of a catalog YAML service (endpoint and credential binding, prices,
 * owner, provider) and the reviewed entity itself. When the YAML changes, the
 * service goes back to review while its subscribers keep the approved version.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('service_approvals', table => {
    table
      .string('approved_hash', 64)
      .nullable()
      .comment(
        'SHA-256 of the reviewed parts of the entity an admin last approved (hex)',
      );
    table
      .text('approved_entity_json')
      .nullable()
      .comment(
        'The entity an admin last approved: served while a change waits for review',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('service_approvals', table => {
    table.dropColumn('approved_hash');
    table.dropColumn('approved_entity_json');
  });
};
