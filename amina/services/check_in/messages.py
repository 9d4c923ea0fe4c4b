"""What the evening push says (catalog domain ``check_in``), in the person's language. It
names nobody and nothing: whoever sees the phone's screen learns only that Amina asks."""

from __future__ import annotations

from amina.i18n import N_

PUSH_TITLE = N_("Amina: evening check-in")
PUSH_BODY = N_("Tap to confirm you are here. The app will send your location once.")
#: Where tapping the push opens the app (``pages/app.py``): it sends one fix and says so.
CHECK_IN_URL = "/app/check-in"
#: One notification on the phone at a time: a newer one replaces the older.
PUSH_TAG = "amina-check-in"
