// @ts-check

/**
 * When the marketplace first saw each ModelService in the catalog: the "newest" sort.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('service_first_seen', table => {
    table.comment(
      'First time the marketplace saw a ModelService in the catalog',
    );
    table.string('service_ref').primary().notNullable();
    table.bigInteger('first_seen_at').notNullable().comment('Epoch ms');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('service_first_seen');
};
