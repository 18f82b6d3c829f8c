-- Bay replicas: where each one can be reached, and when it was last alive.
CREATE TABLE instances (
  id       text PRIMARY KEY,
  url      text,
  seen_at  timestamptz NOT NULL DEFAULT now()
);
