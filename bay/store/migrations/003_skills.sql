-- Skills: payload blobs, candidates, evaluations, releases; and the index that
-- finds history entries by tag (release health samples).

CREATE INDEX executions_tags ON executions USING gin (tags);

CREATE TABLE artifact_blobs (
  id          text PRIMARY KEY,
  owner       text NOT NULL,
  kind        text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artifact_blobs_owner ON artifact_blobs (owner, id);

CREATE TABLE skill_candidates (
  id                    text PRIMARY KEY,
  owner                 text NOT NULL,
  skill_key             text NOT NULL,
  scenario_key          text,
  payload_ref           text,
  skill_type            text NOT NULL DEFAULT 'code',
  summary               text,
  usage_notes           text,
  preconditions         jsonb,
  postconditions        jsonb,
  source_execution_ids  text[] NOT NULL,
  status                text NOT NULL CHECK (status IN
                          ('draft', 'evaluating', 'rejected', 'promoted', 'rolled_back')),
  latest_score          double precision,
  latest_pass           boolean,
  last_evaluated_at     timestamptz,
  promotion_release_id  text,
  created_by            text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  deleted_at            timestamptz,
  deleted_by            text,
  delete_reason         text
);
CREATE INDEX skill_candidates_owner ON skill_candidates (owner, created_at DESC, id DESC)
  WHERE deleted_at IS NULL;

CREATE TABLE skill_evaluations (
  id            text PRIMARY KEY,
  owner         text NOT NULL,
  candidate_id  text NOT NULL REFERENCES skill_candidates (id),
  benchmark_id  text,
  score         double precision,
  passed        boolean NOT NULL,
  report        text,
  evaluated_by  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX skill_evaluations_candidate ON skill_evaluations (candidate_id, created_at DESC);

CREATE TABLE skill_releases (
  id                     text PRIMARY KEY,
  owner                  text NOT NULL,
  skill_key              text NOT NULL,
  candidate_id           text NOT NULL REFERENCES skill_candidates (id),
  version                integer NOT NULL,
  stage                  text NOT NULL CHECK (stage IN ('canary', 'stable')),
  is_active              boolean NOT NULL,
  release_mode           text NOT NULL DEFAULT 'manual',
  promoted_by            text NOT NULL,
  promoted_at            timestamptz NOT NULL DEFAULT now(),
  rollback_of            text,
  health_window_end_at   timestamptz NOT NULL,
  upgrade_of_release_id  text,
  upgrade_reason         text,
  change_summary         text,
  deleted_at             timestamptz,
  deleted_by             text,
  delete_reason          text,
  UNIQUE (owner, skill_key, version)
);
-- At most one active release per skill key.
CREATE UNIQUE INDEX skill_releases_active ON skill_releases (owner, skill_key) WHERE is_active;
CREATE INDEX skill_releases_owner ON skill_releases (owner, promoted_at DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX skill_releases_candidate ON skill_releases (candidate_id);
