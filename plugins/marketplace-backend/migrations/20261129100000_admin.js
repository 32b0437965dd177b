// @ts-check

/**
 * Admin: per-user role overrides, the audit log of admin actions, platform
 * settings changed at runtime (the platform fee), and suspension reasons of up
 * to 500 characters.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('user_role_overrides', table => {
    table.comment(
      'A role an admin set for one user; wins over the group memberships of the user',
    );
    table
      .string('user_ref')
      .primary()
      .notNullable()
      .comment('Entity ref of the user, lowercase');
    table
      .string('role', 16)
      .notNullable()
      .comment('consumer | provider | admin');
    table.string('set_by').notNullable().comment('The admin');
    table.bigInteger('set_at').notNullable().comment('Epoch ms');
  });

  await knex.schema.createTable('audit_log', table => {
    table.comment('Append-only: one row per admin action');
    table.bigIncrements('id').primary().comment('Insertion order');
    table.bigInteger('at').notNullable().comment('Epoch ms');
    table.string('actor_ref').notNullable().comment('The admin (user ref)');
    table
      .string('action', 64)
      .notNullable()
      .comment('e.g. user.suspended, service.approved, platform.fee.changed');
    table
      .string('target_type', 16)
      .notNullable()
      .comment('user | service | review | platform');
    table
      .string('target')
      .notNullable()
      .comment('Entity ref, review id or setting name');
    table.text('before_json').nullable().comment('State before, JSON');
    table.text('after_json').nullable().comment('State after, JSON');
    table.index(['at'], 'audit_log_at_idx');
    table.index(['action', 'at'], 'audit_log_action_idx');
    table.index(['actor_ref', 'at'], 'audit_log_actor_idx');
    table.index(['target', 'at'], 'audit_log_target_idx');
  });

  await knex.schema.createTable('platform_settings', table => {
    table.comment('Settings admins change at runtime; they override config');
    table.string('key', 64).primary().notNullable();
    table.text('value').notNullable().comment('JSON');
    table.string('updated_by').notNullable();
    table.bigInteger('updated_at').notNullable().comment('Epoch ms');
  });

  // Suspension reasons are 1-500 characters (SQLite does not enforce lengths).
  if (!String(knex.client.config.client).includes('sqlite')) {
    await knex.schema.alterTable('user_suspensions', table => {
      table.text('reason').nullable().alter();
    });
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('platform_settings');
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('user_role_overrides');
};
