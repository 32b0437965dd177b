// @ts-check

/**
 * Verified reviews and ratings: one review per user per service, helpful votes,
 * the provider's reply and admin moderation.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('service_reviews', table => {
    table.comment(
      'One review per user per service, by users with a successful request',
    );
    table.string('id', 36).primary().notNullable();
    table.string('service_ref').notNullable();
    table.string('user_ref').notNullable();
    table.integer('rating').notNullable().comment('1 to 5 stars');
    table.string('title', 200).notNullable();
    table
      .text('body')
      .notNullable()
      .comment('Stored as given; rendered as text');
    table.integer('helpful_count').notNullable().defaultTo(0);
    table.text('reply_body').nullable();
    table.string('reply_by').nullable();
    table.bigInteger('replied_at').nullable().comment('Epoch ms');
    table
      .bigInteger('hidden_at')
      .nullable()
      .comment('Epoch ms; hidden by an admin');
    table.string('hidden_by').nullable();
    table.string('hidden_reason', 500).nullable();
    table.bigInteger('created_at').notNullable().comment('Epoch ms');
    table.bigInteger('updated_at').notNullable().comment('Epoch ms');
    table.unique(['service_ref', 'user_ref'], {
      indexName: 'service_reviews_one_per_user',
    });
    table.index(['service_ref', 'created_at'], 'service_reviews_service_idx');
  });
  await knex.schema.createTable('service_review_votes', table => {
    table.comment('"Helpful" votes: one per user per review');
    table
      .string('review_id', 36)
      .notNullable()
      .references('id')
      .inTable('service_reviews')
      .onDelete('CASCADE');
    table.string('user_ref').notNullable();
    table.bigInteger('created_at').notNullable().comment('Epoch ms');
    table.primary(['review_id', 'user_ref']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('service_review_votes');
  await knex.schema.dropTable('service_reviews');
};
