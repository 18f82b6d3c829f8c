-- Core schema: API keys, idempotency, cargos, sandboxes, sessions, executions.

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  owner       text NOT NULL,
  name        text NOT NULL DEFAULT '',
  key_hash    text NOT NULL UNIQUE,
  prefix      text NOT NULL,
  is_admin    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_owner ON api_keys (owner);

CREATE TABLE idempotency_keys (
  owner        text NOT NULL,
  key          text NOT NULL,
  fingerprint  text NOT NULL,
  state        text NOT NULL CHECK (state IN ('pending', 'done')),
  status_code  integer,
  body         jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (owner, key)
);

CREATE TABLE cargos (
  id                     text PRIMARY KEY,
  owner                  text NOT NULL,
  managed                boolean NOT NULL,
  managed_by_sandbox_id  text,
  backend                text NOT NULL,
  size_limit_mb          integer NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  last_accessed_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at             timestamptz
);
CREATE INDEX cargos_owner ON cargos (owner, id) WHERE deleted_at IS NULL;

CREATE TABLE sandboxes (
  id                  text PRIMARY KEY,
  owner               text NOT NULL,
  profile             text NOT NULL,
  cargo_id            text NOT NULL REFERENCES cargos (id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz,
  idle_expires_at     timestamptz,
  current_session_id  text,
  deleted_at          timestamptz
);
CREATE INDEX sandboxes_owner ON sandboxes (owner, id) WHERE deleted_at IS NULL;
CREATE INDEX sandboxes_cargo ON sandboxes (cargo_id) WHERE deleted_at IS NULL;

CREATE TABLE sessions (
  id               text PRIMARY KEY,
  sandbox_id       text NOT NULL REFERENCES sandboxes (id),
  status           text NOT NULL CHECK (status IN ('starting', 'ready', 'failed', 'stopped')),
  driver           text NOT NULL,
  runtime_id       text,
  token_hash       text NOT NULL,
  instance_id      text,
  error            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  ready_at         timestamptz,
  ended_at         timestamptz
);
CREATE INDEX sessions_sandbox ON sessions (sandbox_id);
CREATE INDEX sessions_live ON sessions (status) WHERE status IN ('starting', 'ready');

CREATE TABLE executions (
  id                 text PRIMARY KEY,
  owner              text NOT NULL,
  sandbox_id         text NOT NULL,
  session_id         text,
  exec_type          text NOT NULL,
  code               text NOT NULL,
  success            boolean NOT NULL,
  execution_time_ms  integer NOT NULL,
  output             text,
  error              text,
  payload_ref        text,
  description        text,
  tags               text[] NOT NULL DEFAULT '{}',
  notes              text,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX executions_sandbox ON executions (sandbox_id, created_at DESC);
CREATE INDEX executions_owner ON executions (owner, id);
