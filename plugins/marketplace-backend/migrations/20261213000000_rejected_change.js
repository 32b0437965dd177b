// @ts-check

/**
 * A rejected change keeps the approved version (issue 16, item 2):
 * `service_approvals.rejected_hash` is the review hash of a change an admin
 * rejected while an approved version was live. The approval stays `approved`
 * (its approved hash and entity are still served); the directory keeps the
 * rejected change out of review until its owners change the service again.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('service_approvals', table => {
    table
      .string('rejected_hash', 64)
      .nullable()
      .comment(
        'Review hash of a change rejected while the approved version stays served; null when none',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('service_approvals', table => {
    table.dropColumn('rejected_hash');
  });
};
