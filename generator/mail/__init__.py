"""Mail: the morning digest and SMTP delivery through an outbox."""
