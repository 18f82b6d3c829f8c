-- A lease so that only one Bay replica runs GC at a time.
CREATE TABLE gc_lease (
  id          integer PRIMARY KEY CHECK (id = 1),
  holder      text,
  held_until  timestamptz NOT NULL DEFAULT 'epoch'
);
INSERT INTO gc_lease (id) VALUES (1);
