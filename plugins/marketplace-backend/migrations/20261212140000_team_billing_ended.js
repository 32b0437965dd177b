// @ts-check

/**
 * Team billing ends with team membership (issue 15, item 4):
 * `subscriptions.team_billing_ended_at` records when the marketplace found that
 * the subscriber of a team-billed subscription is no longer a member of the
 * team, and told them. Set once (by the gateway's refusal or the periodic
 * membership check, whichever is first, on any instance), so the user is told
 * once; cleared when they are a member again.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('subscriptions', table => {
    table
      .bigInteger('team_billing_ended_at')
      .nullable()
      .comment(
        'When the subscriber was found no longer a member of team_ref (and told); null while team billing holds',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('subscriptions', table => {
    table.dropColumn('team_billing_ended_at');
  });
};
