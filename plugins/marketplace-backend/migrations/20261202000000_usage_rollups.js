// @ts-check

/**
 * Analytics rollups of the usage ledger, and the payout state of provider
 * statements.
 *
 * The rollups are maintained on write: the transaction that inserts a batch of
 * ledger rows adds the same rows to them (only the rows it really inserted), so
 * they always equal the ledger, late rows included. This migration fills them
 * once from the rows already in the ledger.
 *
 * Latency histogram: `lat_h00` .. `lat_h19` count successful requests whose
 * upstream latency is <= 50, 100, 150, 200, 300, 400, 500, 750, 1000, 1500,
 * 2000, 3000, 5000, 7500, 10000, 15000, 20000, 30000, 60000 ms, and above
 * (the last one). Keep in step with `LATENCY_BUCKETS_MS` in src/stores/ledger/rollup.ts.
 *
 * Times are epoch milliseconds (UTC); money is integer micro-USD.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const bounds = [
    50, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500,
    10000, 15000, 20000, 30000, 60000,
  ];
  const histogram = bounds.map((_, i) => `lat_h${String(i).padStart(2, '0')}`);
  histogram.push(`lat_h${bounds.length}`);

  /** @param {import('knex').Knex.CreateTableBuilder} table */
  const measures = table => {
    table.bigInteger('requests').notNullable().defaultTo(0);
    table
      .bigInteger('ok_requests')
      .notNullable()
      .defaultTo(0)
      .comment('status ok');
    table
      .bigInteger('error_requests')
      .notNullable()
      .defaultTo(0)
      .comment('status upstream_error or timeout: the service failed');
    table
      .bigInteger('rejected_requests')
      .notNullable()
      .defaultTo(0)
      .comment('status upstream_rejected: the upstream answered 4xx');
    table.bigInteger('prompt_tokens').notNullable().defaultTo(0);
    table.bigInteger('completion_tokens').notNullable().defaultTo(0);
    table.bigInteger('trial_tokens').notNullable().defaultTo(0);
    table.bigInteger('cost_micros').notNullable().defaultTo(0);
    table.bigInteger('fee_micros').notNullable().defaultTo(0);
  };

  await knex.schema.createTable('usage_service_hourly', table => {
    table.comment(
      'Usage ledger rolled up per UTC hour and service (maintained on write)',
    );
    table
      .bigInteger('hour')
      .notNullable()
      .comment('Start of the UTC hour of started_at, epoch ms');
    table.string('service_ref').notNullable();
    table.string('provider_ref').notNullable();
    measures(table);
    table
      .bigInteger('latency_sum_ms')
      .notNullable()
      .defaultTo(0)
      .comment('Sum of upstream_latency_ms of ok requests that have one');
    table.bigInteger('latency_count').notNullable().defaultTo(0);
    for (const column of histogram) {
      table.bigInteger(column).notNullable().defaultTo(0);
    }
    table.primary(['service_ref', 'hour']);
    table.index(['hour'], 'usage_service_hourly_hour_idx');
  });

  await knex.schema.createTable('usage_customer_daily', table => {
    table.comment(
      'Usage ledger rolled up per UTC day and API key (maintained on write)',
    );
    table
      .bigInteger('day')
      .notNullable()
      .comment('Start of the UTC day of started_at, epoch ms');
    table.string('key_id', 36).notNullable();
    table
      .string('team_ref')
      .notNullable()
      .comment("Group charged; '' when the user pays personally");
    table.string('subscription_id', 36).notNullable();
    table.string('user_ref').notNullable();
    table.string('service_ref').notNullable();
    table.string('provider_ref').notNullable();
    measures(table);
    table.primary(['key_id', 'team_ref', 'day']);
    table.index(['service_ref', 'day'], 'usage_customer_daily_service_idx');
    table.index(['user_ref', 'day'], 'usage_customer_daily_user_idx');
    table.index(['team_ref', 'day'], 'usage_customer_daily_team_idx');
  });

  await knex.schema.createTable('usage_customer_monthly', table => {
    table.comment(
      'Requests per UTC month, user and service (maintained on write): customers active per month, retention',
    );
    table
      .bigInteger('month')
      .notNullable()
      .comment('Start of the UTC month of started_at, epoch ms');
    table.string('user_ref').notNullable();
    table.string('service_ref').notNullable();
    table.bigInteger('requests').notNullable().defaultTo(0);
    table.primary(['service_ref', 'month', 'user_ref']);
  });

  await knex.schema.createTable('payout_statements', table => {
    table.comment(
      'Provider statements marked paid by an admin, with the amounts paid (open and closed ones are derived from the date)',
    );
    table.string('team_ref').notNullable().comment('The provider team');
    table.string('month', 7).notNullable().comment('YYYY-MM (UTC)');
    table.bigInteger('gross_micros').notNullable().comment('As paid');
    table.bigInteger('fee_micros').notNullable().comment('As paid');
    table.bigInteger('net_micros').notNullable().comment('As paid');
    table.bigInteger('requests').notNullable();
    table.string('paid_by').notNullable().comment('Entity ref of the admin');
    table.bigInteger('paid_at').notNullable().comment('Epoch ms');
    table
      .string('reference', 200)
      .nullable()
      .comment('Payment reference (e.g. the transfer id)');
    table.primary(['team_ref', 'month']);
  });

  // Fill the rollups from the ledger as it is.
  const hour = '(started_at - (started_at % 3600000))';
  const day = '(started_at - (started_at % 86400000))';
  const sums = `
    COUNT(*),
    SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status IN ('upstream_error', 'timeout') THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 'upstream_rejected' THEN 1 ELSE 0 END),
    SUM(prompt_tokens), SUM(completion_tokens), SUM(trial_tokens),
    SUM(cost_micros), SUM(platform_fee_micros)`;
  const measureColumns = `requests, ok_requests, error_requests, rejected_requests,
    prompt_tokens, completion_tokens, trial_tokens, cost_micros, fee_micros`;
  const timed = `status = 'ok' AND upstream_latency_ms IS NOT NULL`;
  const histogramSums = histogram.map((_, i) => {
    const lower = i === 0 ? null : bounds[i - 1];
    const upper = i < bounds.length ? bounds[i] : null;
    const conditions = [timed];
    if (lower !== null) {
      conditions.push(`upstream_latency_ms > ${lower}`);
    }
    if (upper !== null) {
      conditions.push(`upstream_latency_ms <= ${upper}`);
    }
    return `SUM(CASE WHEN ${conditions.join(' AND ')} THEN 1 ELSE 0 END)`;
  });
  await knex.raw(`
    INSERT INTO usage_service_hourly (hour, service_ref, provider_ref, ${measureColumns},
      latency_sum_ms, latency_count, ${histogram.join(', ')})
    SELECT ${hour}, service_ref, MIN(provider_ref), ${sums},
      SUM(CASE WHEN ${timed} THEN upstream_latency_ms ELSE 0 END),
      SUM(CASE WHEN ${timed} THEN 1 ELSE 0 END),
      ${histogramSums.join(', ')}
    FROM usage_ledger
    GROUP BY service_ref, ${hour}`);
  await knex.raw(`
    INSERT INTO usage_customer_daily (day, key_id, team_ref, subscription_id, user_ref,
      service_ref, provider_ref, ${measureColumns})
    SELECT ${day}, key_id, COALESCE(team_ref, ''), MIN(subscription_id), MIN(user_ref),
      MIN(service_ref), MIN(provider_ref), ${sums}
    FROM usage_ledger
    GROUP BY key_id, COALESCE(team_ref, ''), ${day}`);
  // Month starts of every month with usage, then the activity per month.
  const months = await knex('usage_ledger')
    .select(knex.raw(`${day} AS day`))
    .groupBy(knex.raw(day));
  const starts = [
    ...new Set(
      months.map((/** @type {any} */ r) => {
        const d = new Date(Number(r.day));
        return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      }),
    ),
  ].sort((a, b) => a - b);
  for (let i = 0; i < starts.length; i++) {
    const end =
      i + 1 < starts.length
        ? starts[i + 1]
        : Date.UTC(
            new Date(starts[i]).getUTCFullYear(),
            new Date(starts[i]).getUTCMonth() + 1,
            1,
          );
    await knex.raw(
      `INSERT INTO usage_customer_monthly (month, user_ref, service_ref, requests)
       SELECT ?, user_ref, service_ref, COUNT(*) FROM usage_ledger
       WHERE started_at >= ? AND started_at < ?
       GROUP BY user_ref, service_ref`,
      [starts[i], starts[i], end],
    );
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('payout_statements');
  await knex.schema.dropTable('usage_customer_monthly');
  await knex.schema.dropTable('usage_customer_daily');
  await knex.schema.dropTable('usage_service_hourly');
};
