"""Telling the person: the in-app inbox, the outbox and its channels, web push subscriptions."""
