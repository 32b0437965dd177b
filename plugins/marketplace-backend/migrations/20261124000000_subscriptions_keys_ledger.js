// @ts-check

/**
 * Subscriptions, API keys, in-flight reservations and the usage ledger.
 * Money is integer micro-USD (1 USD = 1,000,000); times are epoch milliseconds, so
 * that SQLite and PostgreSQL store and compare them the same way.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('subscriptions', table => {
    table.comment('A user subscribed to one ModelService');
    table.string('id', 36).primary().notNullable().comment('UUID');
    table
      .string('service_ref')
      .notNullable()
      .comment('Entity ref of the ModelService');
    table
      .string('user_ref')
      .notNullable()
      .comment('Entity ref of the subscriber');
    table.string('team_ref').nullable().comment('Group charged for the usage');
    table.string('status', 16).notNullable().comment('active | cancelled');
    table
      .string('active_slot')
      .nullable()
      .unique()
      .comment(
        'user_ref|service_ref while active, else null: one active subscription per user and service',
      );
    table
      .bigInteger('spend_cap_micros')
      .nullable()
      .comment('Monthly cap; null = none, 0 = trial only');
    table.bigInteger('trial_tokens_granted').notNullable().defaultTo(0);
    table
      .bigInteger('trial_tokens_used')
      .notNullable()
      .defaultTo(0)
      .comment('Settled trial tokens');
    table
      .bigInteger('trial_tokens_reserved')
      .notNullable()
      .defaultTo(0)
      .comment('Trial tokens held by in-flight requests');
    table
      .bigInteger('trial_expires_at')
      .nullable()
      .comment('Epoch ms; null = no end');
    table
      .string('month', 7)
      .notNullable()
      .comment('UTC month the month_* counters are for, YYYY-MM');
    table
      .bigInteger('month_spend_micros')
      .notNullable()
      .defaultTo(0)
      .comment('Settled spend this month');
    table
      .bigInteger('month_tokens')
      .notNullable()
      .defaultTo(0)
      .comment('Settled tokens this month (tiers)');
    table
      .bigInteger('reserved_micros')
      .notNullable()
      .defaultTo(0)
      .comment('Spend held by in-flight requests');
    table.bigInteger('total_spend_micros').notNullable().defaultTo(0);
    table.bigInteger('created_at').notNullable();
    table.bigInteger('cancelled_at').nullable();
    table.index(['user_ref'], 'subscriptions_user_idx');
    table.index(['service_ref'], 'subscriptions_service_idx');
  });

  await knex.schema.createTable('api_keys', table => {
    table.comment(
      'Gateway API keys; only a SHA-256 hash of the secret is stored',
    );
    table.string('id', 36).primary().notNullable();
    table
      .string('subscription_id', 36)
      .notNullable()
      .references('id')
      .inTable('subscriptions')
      .onDelete('CASCADE');
    table.string('user_ref').notNullable();
    table
      .string('prefix', 32)
      .notNullable()
      .comment('Recognisable start of the key, safe to show');
    table
      .string('secret_hash', 64)
      .notNullable()
      .unique()
      .comment('hex SHA-256 of the full key');
    table.bigInteger('created_at').notNullable();
    table.bigInteger('last_used_at').nullable();
    table.bigInteger('revoked_at').nullable();
    table.index(['subscription_id'], 'api_keys_subscription_idx');
    table.index(['user_ref'], 'api_keys_user_idx');
  });

  await knex.schema.createTable('user_suspensions', table => {
    table.comment('Suspended users: their keys stop working at once');
    table.string('user_ref').primary().notNullable();
    table.string('reason').nullable();
    table.string('suspended_by').notNullable();
    table.bigInteger('suspended_at').notNullable();
  });

  await knex.schema.createTable('usage_reservations', table => {
    table.comment(
      'Budget held by a request being forwarded; settled into usage_ledger, reconciled on start',
    );
    table.string('request_id', 64).primary().notNullable();
    table.string('subscription_id', 36).notNullable();
    table.string('key_id', 36).notNullable();
    table.string('user_ref').notNullable();
    table.string('team_ref').nullable();
    table.string('service_ref').notNullable();
    table.string('provider_ref').notNullable();
    table.string('model').notNullable();
    table.boolean('stream').notNullable();
    table.bigInteger('trial_tokens').notNullable().comment('Trial tokens held');
    table.bigInteger('cost_micros').notNullable().comment('Spend held');
    table.bigInteger('started_at').notNullable();
    table
      .string('instance_id')
      .notNullable()
      .comment('Backend instance forwarding the request');
    table.index(['subscription_id'], 'usage_reservations_subscription_idx');
    table.index(['instance_id'], 'usage_reservations_instance_idx');
  });

  await knex.schema.createTable('usage_ledger', table => {
    table.comment('Append-only: exactly one row per forwarded gateway request');
    table
      .string('request_id', 64)
      .primary()
      .notNullable()
      .comment('x-request-id');
    table.string('subscription_id', 36).notNullable();
    table.string('key_id', 36).notNullable();
    table.string('user_ref').notNullable();
    table.string('team_ref').nullable();
    table.string('service_ref').notNullable();
    table.string('provider_ref').notNullable();
    table.string('model').notNullable();
    table.boolean('stream').notNullable();
    table
      .string('status', 24)
      .notNullable()
      .comment(
        'ok | upstream_error | upstream_rejected | timeout | client_closed | abandoned',
      );
    table.integer('http_status').notNullable();
    table.string('error_code').nullable();
    table.bigInteger('prompt_tokens').notNullable();
    table.bigInteger('completion_tokens').notNullable();
    table
      .bigInteger('trial_tokens')
      .notNullable()
      .comment('Tokens paid by the trial');
    table
      .string('token_source', 16)
      .notNullable()
      .comment('upstream | tokenizer');
    table.bigInteger('cost_micros').notNullable();
    table.bigInteger('platform_fee_micros').notNullable();
    table.integer('upstream_latency_ms').nullable();
    table
      .integer('ttft_ms')
      .nullable()
      .comment('Time to first token (streaming)');
    table.bigInteger('started_at').notNullable();
    table.bigInteger('finished_at').notNullable();
    table.index(
      ['subscription_id', 'started_at'],
      'usage_ledger_subscription_idx',
    );
    table.index(['service_ref', 'started_at'], 'usage_ledger_service_idx');
    table.index(['provider_ref', 'started_at'], 'usage_ledger_provider_idx');
    table.index(['user_ref', 'started_at'], 'usage_ledger_user_idx');
    table.index(['team_ref', 'started_at'], 'usage_ledger_team_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('usage_ledger');
  await knex.schema.dropTable('usage_reservations');
  await knex.schema.dropTable('user_suspensions');
  await knex.schema.dropTable('api_keys');
  await knex.schema.dropTable('subscriptions');
};
