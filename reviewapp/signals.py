"""Signals the base app sends for the apps built on it (pretalx's signals/receivers).

The base app must not import the apps above it; when one of its writes concerns them it
sends a signal from inside the service's transaction, and their `receivers.py` act.
"""

from django.dispatch import Signal

# Sent by `project_update` when a project's evidence framework changed, inside the
# transaction, with `project`: every verdict of the project must be graded again.
project_framework_changed = Signal()

# Sent by `user_erase` once a person's account is pseudonymised and their text scrubbed,
# inside the transaction, with `user` and `project_ids` (the projects they worked in):
# whatever an app stores built from people's names (grading's report tables) is rebuilt.
user_erased = Signal()

# Sent by `membership_remove` and `membership_change_role` (to a role that does not screen),
# inside the transaction, with `project`, `user` and `actor`: the person no longer works on
# the project's records, so what the apps hold for them there (screening's assignments) is
# released.
membership_ended = Signal()
