from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reviewapp.audit_labels import action_label, field_label, value_label
from reviewapp.languages import unknown_language_codes
from reviewapp.softdelete import SoftDeleteModel


class Project(SoftDeleteModel):
    """A systematic review: one policy question, one or more topic areas.

    Deleted to the bin whole (`project_delete`, `project_restore`): it leaves everyone's
    home page, project list and API; its leads see it under "Deleted projects".
    """

    class Language(models.TextChoices):
        DANISH = "da", _("Danish")
        ENGLISH = "en", _("English")

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("report language"),
        max_length=2,
        choices=Language.choices,
        default=Language.DANISH,
        help_text=_("The language the review's report and tables are written in."),
    )
    evidence_framework = models.CharField(
        _("evidence framework"),
        max_length=40,
        choices=[
            ("danish_count", _("Danish knowledge hierarchy (count)")),
            ("danish_weighted", _("Danish knowledge hierarchy (weighted, jobeffekter.dk)")),
            ("grade", _("GRADE")),
        ],
        default="danish_count",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every update; see project_update."
    )

    class Meta(SoftDeleteModel.Meta):
        ordering = ["-created_at", "title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("project_dashboard", kwargs={"slug": self.slug})


class Role(models.TextChoices):
    LEAD = "lead", _("Project lead")
    REVIEWER = "reviewer", _("Reviewer")
    PEER_REVIEWER = "peer_reviewer", _("Peer reviewer (read-only)")


# The roles that screen and extract; a peer reviewer reads only.
SCREENING_ROLES = (Role.LEAD, Role.REVIEWER)


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


def _validate_term_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Must be a list of texts."))


class TopicArea(SoftDeleteModel):
    """One review question (the report's "emneområde") with its search strategy.

    The PICOS elements follow the report's tables 5.1 and 6.1, where intervention,
    comparison and outcome are searched as one element. Deleted to the bin alone
    (`topic_area_delete`, `topic_area_restore`): what is under it stays as it is, hidden
    because its topic area is (queries that join through a topic area leave the bin out).
    """

    project_path = "project"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="topic_areas")
    key = models.SlugField(
        _("key"),
        max_length=40,
        help_text=_("Short identifier used in file names and on the command line."),
    )
    position = models.PositiveIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=300)
    question = models.TextField(_("review question"), blank=True)

    population = models.TextField(_("population"), blank=True)
    population_terms = models.JSONField(
        _("population search terms"), default=list, blank=True, validators=[_validate_term_list]
    )
    intervention = models.TextField(_("intervention, comparison and outcome"), blank=True)
    intervention_terms = models.JSONField(
        _("intervention, comparison and outcome search terms"),
        default=list,
        blank=True,
        validators=[_validate_term_list],
    )
    study_design = models.TextField(_("study design"), blank=True)
    study_design_terms = models.JSONField(
        _("study design search terms"), default=list, blank=True, validators=[_validate_term_list]
    )

    databases = models.JSONField(
        _("databases searched"), default=list, blank=True, validators=[_validate_term_list]
    )
    year_from = models.PositiveIntegerField(
        _("published from (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2200)],
    )
    year_to = models.PositiveIntegerField(
        _("published to (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2200)],
    )
    languages = models.JSONField(
        _("publication languages"),
        default=list,
        blank=True,
        help_text=_("ISO 639-1 codes, e.g. da, en, no, sv."),
        validators=[_validate_term_list],
    )
    regions = models.JSONField(
        _("countries or regions"), default=list, blank=True, validators=[_validate_term_list]
    )
    inclusion_criteria = models.TextField(_("inclusion criteria"), blank=True)
    exclusion_criteria = models.TextField(_("exclusion criteria"), blank=True)
    reported_flow = models.JSONField(
        _("flow counts reported by hand"),
        default=dict,
        blank=True,
        help_text=(
            "Counts of work done outside the application (e.g. a published report's "
            "screening), by flow box; shown as reported, never turned into records. "
            "Set by screening.services.flow.flow_reported_update."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every update; see topic_area_update."
    )

    class Meta(SoftDeleteModel.Meta):
        ordering = ["project", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="topic_key_unique_in_project"),
            models.CheckConstraint(
                condition=models.Q(year_from__isnull=True)
                | models.Q(year_to__isnull=True)
                | models.Q(year_from__lte=models.F("year_to")),
                name="topic_years_ordered",
            ),
        ]
        verbose_name = _("topic area")
        verbose_name_plural = _("topic areas")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "topic_area_detail", kwargs={"slug": self.project.slug, "topic_key": self.key}
        )

    def clean(self) -> None:
        errors = {}
        if self.year_from and self.year_to and self.year_from > self.year_to:
            errors["year_to"] = _(
                "The last publication year (%(to)s) is before the first (%(from)s)."
            ) % {"to": self.year_to, "from": self.year_from}
        unknown = unknown_language_codes(self.languages or [])
        if unknown:
            errors["languages"] = _(
                "Unknown language code(s): %(codes)s. Use ISO 639-1 codes such as da, en, no, sv."
            ) % {"codes": ", ".join(unknown)}
        if errors:
            raise ValidationError(errors)

    @property
    def picos_elements(self) -> list[tuple[str, str, list[str]]]:
        """(label, description, search terms) per PICOS element, in the report's order."""
        return [
            (_("Population"), self.population, self.population_terms),
            (_("Intervention, comparison, outcome"), self.intervention, self.intervention_terms),
            (_("Study design"), self.study_design, self.study_design_terms),
        ]


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after.

    Written only by services (see reviewapp.audit.audit_record); never edited.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="audit_entries", null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        """The action in the reader's language (`reviewapp.audit_labels`)."""
        return action_label(self.action)

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field whose value differs, named and valued
        as a person reads them."""
        before, after = self.before or {}, self.after or {}
        keys = [key for key in {**before, **after} if before.get(key) != after.get(key)]
        return [
            (
                field_label(key),
                value_label(key, before.get(key)),
                value_label(key, after.get(key)),
            )
            for key in keys
        ]


class ApiToken(models.Model):
    """A personal token for the REST API, created, named and revoked by its owner.

    Only a SHA-256 digest of the token is stored; the token itself is shown once, when it is
    created (see reviewapp.api.tokens.api_token_create). ``prefix`` is the token's first
    characters, kept in clear so that a presented token is looked up by index and the owner
    can tell their tokens apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Accounts: a person's preferences, invitations, sessions (reviewapp.accounts) ---------


class UserProfile(models.Model):
    """A person's preferences: the language of the mails they get.

    Created on first need by reviewapp.accounts.services.profile_for."""

    class Language(models.TextChoices):
        DANISH = "da", _("Danish")
        ENGLISH = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )

    class Notify(models.TextChoices):
        OFF = "off", _("Off")
        IMMEDIATE = "immediate", _("At once, one mail each")
        DAILY = "daily", _("A daily digest")

    language = models.CharField(
        _("language of e-mails"), max_length=2, choices=Language.choices, default="en"
    )
    notify = models.CharField(
        _("notifications by e-mail"), max_length=10, choices=Notify.choices, default=Notify.DAILY
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class Invitation(models.Model):
    """A lead's invitation of an e-mail address to a project with a role.

    The link carries a signed token naming this row (reviewapp.accounts.tokens); the row says
    whether it was used (accepted_at) or revoked (revoked_at). Both are set by the services in
    reviewapp.accounts.services, never directly."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    language = models.CharField(
        _("language of the invitation"),
        max_length=2,
        choices=UserProfile.Language.choices,
        default="en",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"


class UserSession(models.Model):
    """A logged-in session of a person, for the list on the profile page.

    One row per Django session, removed with it (logout, revocation, expiry cleanup).
    Written at login by reviewapp.accounts.services.user_session_record."""

    # Its own id in pages and addresses: a session key is a secret and never shown.
    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_sessions"
    )
    created_at = models.DateTimeField(_("logged in"), auto_now_add=True)
    ip_address = models.CharField(_("address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """Something a person is told by mail: at once or in the daily digest, after their
    profile's choice. Written by reviewapp.notifications.notify; sent_at set when mailed."""

    class Kind(models.TextChoices):
        CONFLICT = "conflict", _("Conflicts waiting for a lead")
        COMMENT = "comment", _("A comment answered or resolved")
        CONSENSUS = "consensus", _("A consensus waiting for you")
        IMPORT = "import", _("An import finished or failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Erasure(models.Model):
    """A person's personal data erased (GDPR art. 17): the account stays, pseudonymised.

    The account keeps its decisions, extractions and comments under the pseudonym "Former
    reviewer <number>"; ``number`` counts erasures on this installation, so the pseudonym is
    the same on every page and export. Written only by ``reviewapp.services.user_erase``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure"
    )
    number = models.PositiveIntegerField(unique=True)
    erased_at = models.DateTimeField(_("erased"), auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return str(self.user)
