// @ts-check

/**
 * The gateway speaks several protocols (issue 20): each ledger row records the
 * one its client spoke, and the input tokens the upstream read from its cache
 * where it reported them.
 *
 * Rows written before were all OpenAI Chat Completions. Rows the reservation
 * sweep writes for requests that never finished leave the protocol unknown.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('usage_ledger', table => {
    table
      .string('protocol', 32)
      .nullable()
      .comment(
        'The protocol the client spoke: openai-chat, openai-responses, openai-completions, openai-embeddings or anthropic-messages; null when unknown (swept reservations)',
      );
    table
      .bigInteger('cached_prompt_tokens')
      .nullable()
      .comment(
        'Of prompt_tokens, those the upstream read from its cache, where it reported them',
      );
  });
  await knex('usage_ledger').update({ protocol: 'openai-chat' });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('usage_ledger', table => {
    table.dropColumn('cached_prompt_tokens');
    table.dropColumn('protocol');
  });
};
