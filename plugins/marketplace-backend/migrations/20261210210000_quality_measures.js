// @ts-check

/**
 * Quality numbers that mean what their labels say (issue 21):
 *
 * - `usage_ledger.wait_ms`: time from the gateway receiving a request to sending
 *   it upstream; `ttft_ms` now also holds the time to the answer's first byte of
 *   non-streamed requests. Stored non-streamed successful rows get their whole
 *   latency as that time: a non-streamed upstream sends its first byte with the
 *   finished answer.
 * - `service_metrics_hourly`: successful requests (availability from real
 *   traffic), wait-time and output-tokens-per-second histograms, the peak number
 *   of requests in flight and the busiest minute of each hour. The rollup
 *   watermark is reset so every hour within the retention is recomputed with
 *   them (and with latency = time to first token).
 * - `sla_breaches`: the latency breaches recorded so far judged the whole-answer
 *   time against targets that now mean time to first token; they are removed and
 *   the detector records breaches of the new measure.
 * - `service_first_seen.updated_at` / `spec_hash`: when a service's spec last
 *   changed (the first-seen time stays its creation time).
 * - `provider_verifications`: the admins' verification decision per provider
 *   (the Provider YAML's verification is only the provider's claim).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('usage_ledger', table => {
    table
      .integer('wait_ms')
      .nullable()
      .comment(
        'Time from the gateway receiving the request to sending it upstream (authentication, limits, reservation, connection)',
      );
  });
  await knex('usage_ledger')
    .where({ stream: false, status: 'ok' })
    .whereNull('ttft_ms')
    .whereNotNull('upstream_latency_ms')
    .update({ ttft_ms: knex.ref('upstream_latency_ms') });

  await knex.schema.alterTable('service_metrics_hourly', table => {
    table
      .bigInteger('ok_requests')
      .notNullable()
      .defaultTo(0)
      .comment('Ledger rows with status ok (availability from real traffic)');
    table.bigInteger('wait_count').notNullable().defaultTo(0);
    table
      .text('wait_hist')
      .notNullable()
      .defaultTo('')
      .comment('Wait-time histogram (received -> sent upstream), ms buckets');
    table
      .text('tps_hist')
      .notNullable()
      .defaultTo('')
      .comment(
        'Output tokens per second histogram of the successful requests (same buckets, whole tokens/s)',
      );
    table
      .integer('peak_in_flight')
      .notNullable()
      .defaultTo(0)
      .comment('Most requests in flight at once during the hour');
    table
      .integer('peak_requests_per_minute')
      .notNullable()
      .defaultTo(0)
      .comment('Successful requests started in the busiest minute of the hour');
  });
  await knex('monitoring_state').where({ key: 'rollup_watermark' }).delete();

  await knex('sla_breaches')
    .whereIn('metric', ['latencyP50', 'latencyP95', 'latencyP99'])
    .delete();

  await knex.schema.alterTable('service_first_seen', table => {
    table
      .bigInteger('updated_at')
      .nullable()
      .comment('Epoch ms of the last change of the spec');
    table
      .string('spec_hash', 64)
      .nullable()
      .comment('sha256 of the spec as last seen, to notice changes');
  });
  await knex('service_first_seen').update({
    updated_at: knex.ref('first_seen_at'),
  });

  await knex.schema.createTable('provider_verifications', table => {
    table.comment(
      'The admins decision whether a provider is verified; the Provider YAML value is only a claim',
    );
    table.string('provider_ref').primary().notNullable();
    table.boolean('verified').notNullable();
    table.text('note').nullable().comment('Why, as the admin wrote it');
    table.string('decided_by').notNullable().comment('Entity ref of the admin');
    table.bigInteger('decided_at').notNullable().comment('Epoch ms');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('provider_verifications');
  await knex.schema.alterTable('service_first_seen', table => {
    table.dropColumn('updated_at');
    table.dropColumn('spec_hash');
  });
  await knex.schema.alterTable('service_metrics_hourly', table => {
    table.dropColumn('ok_requests');
    table.dropColumn('wait_count');
    table.dropColumn('wait_hist');
    table.dropColumn('tps_hist');
    table.dropColumn('peak_in_flight');
    table.dropColumn('peak_requests_per_minute');
  });
  await knex.schema.alterTable('usage_ledger', table => {
    table.dropColumn('wait_ms');
  });
};
