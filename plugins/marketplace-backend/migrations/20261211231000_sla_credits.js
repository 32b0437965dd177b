// @ts-check

/**
 * SLA credits: the measured uptime of a service in a closed calendar month
 * against the uptime it committed to, and the credit percent the credit table
 * gave it. Written once, at the first statement read after the month ended,
 * so statements stay the same after the probes are deleted.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sla_credits', table => {
    table.comment(
      'Measured monthly uptime of a service against its commitment, and the SLA credit it gives; written once per closed month',
    );
    table.string('service_ref').notNullable().comment('Entity ref, lowercase');
    table.string('month', 7).notNullable().comment('YYYY-MM (UTC)');
    table
      .double('committed_uptime')
      .notNullable()
      .comment('spec.sla.uptimePercent when the month was assessed');
    table
      .double('measured_uptime')
      .nullable()
      .comment('up / (up + down) checks in percent; null with too few checks');
    table.integer('up_probes').notNullable();
    table.integer('down_probes').notNullable();
    table
      .integer('coverage_days')
      .notNullable()
      .comment('UTC days of the month with at least one check');
    table
      .integer('credit_percent')
      .notNullable()
      .comment('Percent of the month’s charges credited (0: none)');
    table.bigInteger('computed_at').notNullable();
    table.primary(['service_ref', 'month']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sla_credits');
};
