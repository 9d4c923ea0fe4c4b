"""Use cases of the work patent's payment (issue 11): the tariff table, the person's patent,
payment intents with a provider, callbacks and reconciliation, reminders."""
