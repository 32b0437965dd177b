// @ts-check

/**
 * Monitoring: the health prober's checks, the incidents they make up, hourly
 * rollups of probes and gateway ledger rows (so reads stay cheap with millions of
 * rows), the rollup's watermark, and SLA breaches (recorded once per metric and
 * window). Times are epoch milliseconds.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('service_probes', table => {
    table.comment(
      'One health check of the upstream of a service by the prober; deleted after marketplace.monitoring.retentionDays',
    );
    table.bigIncrements('id').primary();
    table
      .string('service_ref')
      .notNullable()
      .comment('Entity ref of the ModelService');
    table.bigInteger('probed_at').notNullable().comment('When the check began');
    table
      .string('outcome', 16)
      .notNullable()
      .comment(
        'up | down | maintenance (inside a maintenance window or outside service hours: not counted for uptime)',
      );
    table
      .integer('http_status')
      .nullable()
      .comment('HTTP status of the upstream, if it answered');
    table
      .string('error_kind', 24)
      .nullable()
      .comment(
        'timeout | connection | bad_status | bad_response | credentials_missing; null when the check passed',
      );
    table
      .integer('latency_ms')
      .nullable()
      .comment('Time until the whole answer was read (or the check failed)');
    table.index(['service_ref', 'probed_at'], 'service_probes_service_idx');
    table.index(['probed_at'], 'service_probes_time_idx');
  });

  await knex.schema.createTable('service_incidents', table => {
    table.comment(
      'Down periods: consecutive down probes of a service merged; open while ended_at is null',
    );
    table.bigIncrements('id').primary();
    table.string('service_ref').notNullable();
    table
      .bigInteger('started_at')
      .notNullable()
      .comment('Time of the first down probe');
    table
      .bigInteger('ended_at')
      .nullable()
      .comment('Time of the first up probe after it; null while ongoing');
    table.bigInteger('last_down_at').notNullable();
    table.integer('down_probes').notNullable();
    table.string('last_error_kind', 24).nullable();
    table.integer('last_http_status').nullable();
    table.index(['service_ref', 'started_at'], 'service_incidents_service_idx');
  });

  await knex.schema.createTable('service_metrics_hourly', table => {
    table.comment(
      'Per service and UTC hour: probe counts and gateway ledger aggregates with log-scale latency histograms; recomputed from the raw rows for every hour that got new rows',
    );
    table.string('service_ref').notNullable();
    table
      .bigInteger('hour_start')
      .notNullable()
      .comment('Epoch ms of the start of the UTC hour');
    table.integer('probes_up').notNullable().defaultTo(0);
    table.integer('probes_down').notNullable().defaultTo(0);
    table.integer('probes_maintenance').notNullable().defaultTo(0);
    table
      .bigInteger('requests')
      .notNullable()
      .defaultTo(0)
      .comment('Ledger rows started in the hour');
    table
      .bigInteger('errors')
      .notNullable()
      .defaultTo(0)
      .comment('Ledger rows with status upstream_error or timeout');
    table
      .bigInteger('latency_count')
      .notNullable()
      .defaultTo(0)
      .comment('Successful requests with a latency');
    table.bigInteger('latency_sum_ms').notNullable().defaultTo(0);
    table
      .text('latency_hist')
      .notNullable()
      .defaultTo('')
      .comment(
        'Latency histogram "bucket:count,..." (see monitoring/histogram.ts)',
      );
    table.bigInteger('ttft_count').notNullable().defaultTo(0);
    table
      .text('ttft_hist')
      .notNullable()
      .defaultTo('')
      .comment('Time-to-first-token histogram, same buckets');
    table
      .bigInteger('output_tokens')
      .notNullable()
      .defaultTo(0)
      .comment('Completion tokens of the successful requests');
    table
      .bigInteger('generation_ms')
      .notNullable()
      .defaultTo(0)
      .comment(
        'Their latency less the time to first token (streamed): the time spent generating',
      );
    table.bigInteger('updated_at').notNullable();
    table.primary(['service_ref', 'hour_start']);
    table.index(['hour_start'], 'service_metrics_hourly_hour_idx');
  });

  await knex.schema.createTable('monitoring_state', table => {
    table.comment('Watermarks of the monitoring tasks');
    table.string('key').primary().notNullable();
    table.bigInteger('value').notNullable();
  });

  await knex.schema.createTable('sla_breaches', table => {
    table.comment(
      'SLA breaches: at most one per service, metric and 30-day window; notified once',
    );
    table.bigIncrements('id').primary();
    table.string('service_ref').notNullable();
    table
      .string('metric', 24)
      .notNullable()
      .comment('uptime | latencyP50 | latencyP95 | latencyP99');
    table
      .bigInteger('window_start')
      .notNullable()
      .comment('Start of the 30-day window (counted from 1970-01-01 UTC)');
    table.double('measured').notNullable();
    table.double('committed').notNullable();
    table.bigInteger('detected_at').notNullable();
    table
      .bigInteger('notified_at')
      .nullable()
      .comment('Set by the one instance that sent the notification');
    table.unique(['service_ref', 'metric', 'window_start'], {
      indexName: 'sla_breaches_window_key',
    });
  });

  // The rollup finds new ledger rows by when they were written (finished_at).
  await knex.schema.alterTable('usage_ledger', table => {
    table.index(['finished_at'], 'usage_ledger_finished_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('usage_ledger', table => {
    table.dropIndex(['finished_at'], 'usage_ledger_finished_idx');
  });
  await knex.schema.dropTable('sla_breaches');
  await knex.schema.dropTable('monitoring_state');
  await knex.schema.dropTable('service_metrics_hourly');
  await knex.schema.dropTable('service_incidents');
  await knex.schema.dropTable('service_probes');
};
