"""The base app's part of the project archive (see reviewapp.archive). The audit log is not
declared here: the engine archives it last, after every object an entry may name."""

from reviewapp.archive import ArchiveSlice, register

register(
    ArchiveSlice(
        models=[
            ("reviewapp.membership", "project"),
            ("reviewapp.topicarea", "project"),
        ],
        derived={
            "reviewapp.invitation": (
                "links to this installation for people who have no account yet: they expire "
                "in a week, and the receiving installation invites its own"
            ),
            "reviewapp.notification": "mails waiting for this installation's people (transient)",
        },
    )
)
