// @ts-check

/**
 * Upstream credentials that providers manage in the portal, and the endpoint
 * host of a service at its last approval.
 *
 * A credential belongs to one Provider: only services whose `spec.providedBy`
 * is that Provider may name it (`spec.endpoint.auth.secretRef`). Its value is
 * stored encrypted (AES-256-GCM with a key from
 * `marketplace.credentials.encryptionKeys`; `key_id` says which one) and never
 * returned by the API: only its fingerprint.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('provider_credentials', table => {
    table.comment(
      'An upstream credential of one provider, encrypted; usable only by services of that provider',
    );
    table.string('id', 36).primary().notNullable().comment('UUID');
    table
      .string('provider_ref')
      .notNullable()
      .comment('Entity ref of the Provider it belongs to, lowercase');
    table
      .string('name', 64)
      .notNullable()
      .comment('What services name in spec.endpoint.auth.secretRef');
    table
      .text('ciphertext')
      .notNullable()
      .comment('AES-256-GCM ciphertext of the value, base64');
    table.string('iv', 32).notNullable().comment('GCM nonce, base64');
    table.string('auth_tag', 32).notNullable().comment('GCM tag, base64');
    table
      .string('key_id', 16)
      .notNullable()
      .comment('Which encryption key encrypted it (hash prefix of the key)');
    table
      .string('fingerprint', 32)
      .notNullable()
      .comment('Short hash of the value, to tell values apart');
    table
      .integer('version')
      .notNullable()
      .comment('1, plus one per rotation: caches compare it');
    table.string('created_by').notNullable();
    table.bigInteger('created_at').notNullable().comment('Epoch ms');
    table.string('updated_by').notNullable();
    table.bigInteger('updated_at').notNullable().comment('Epoch ms');
    table
      .bigInteger('last_used_at')
      .nullable()
      .comment('Epoch ms of a recent use by the gateway or the prober');
    table.unique(['provider_ref', 'name'], {
      indexName: 'provider_credentials_name_uq',
    });
  });

  await knex.schema.alterTable('service_approvals', table => {
    table
      .string('approved_endpoint_host')
      .nullable()
      .comment('Host of spec.endpoint.baseUrl when an admin last approved it');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('service_approvals', table => {
    table.dropColumn('approved_endpoint_host');
  });
  await knex.schema.dropTable('provider_credentials');
};
