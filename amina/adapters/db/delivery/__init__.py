"""Tables of the inbox, the outbox and push subscriptions."""
