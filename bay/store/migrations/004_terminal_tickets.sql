-- Single-use tickets that let a browser open a terminal WebSocket without a header.
CREATE TABLE terminal_tickets (
  ticket_hash  text PRIMARY KEY,
  owner        text NOT NULL,
  sandbox_id   text NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX terminal_tickets_expiry ON terminal_tickets (expires_at);
