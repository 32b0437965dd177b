// @ts-check

/**
 * Service lifecycle: the successor an owner names when unpublishing a service,
 * and the reminders sent to its subscribers before its sunset.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('service_unpublications', table => {
    table
      .string('successor_ref')
      .nullable()
      .comment('Entity ref of the service its owner names as the successor');
  });
  await knex.schema.createTable('lifecycle_notices', table => {
    table.comment(
      'Each reminder of a retiring service, sent once to its subscribers (the row is written before sending)',
    );
    table
      .string('service_ref')
      .notNullable()
      .comment('Entity ref of the retiring service, lowercase');
    table
      .string('notice', 16)
      .notNullable()
      .comment("Which reminder: '30d', '7d' before the sunset, or 'sunset'");
    table
      .bigInteger('sunset_at')
      .notNullable()
      .comment('The sunset it was about (epoch ms)');
    table.bigInteger('sent_at').notNullable().comment('Epoch ms');
    table
      .integer('recipients')
      .notNullable()
      .defaultTo(0)
      .comment('How many subscribers it went to');
    table.primary(['service_ref', 'notice', 'sunset_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('lifecycle_notices');
  await knex.schema.alterTable('service_unpublications', table => {
    table.dropColumn('successor_ref');
  });
};
