"""The demo review: the VIVE 2019 review of caseworker-related factors, as far as
the models go. Facts and figures come from the report; the wording is ours.
Later capabilities add their own data (records, decisions, studies) here; the third
topic area, a screening in progress on the demo's own records, is `grading.demo.in_progress`.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from grading.demo.in_progress import demo_in_progress_load
from grading.demo.records import TOPIC_KEYS, demo_screening_load
from grading.demo.studies import demo_grading_load
from reviewapp import services
from reviewapp.models import Membership, Project, Role, TopicArea

DEMO_SLUG = "vive-2019-caseworkers"

# username, password, role, full name. The passwords are printed by `load_demo`
# and in the README: this is a demo, never a production account.
DEMO_USERS = [
    ("lead", "demo-lead-2019", Role.LEAD, "Lea Lead"),
    ("reviewer1", "demo-reviewer-2019", Role.REVIEWER, "Rasmus Reviewer"),
    ("reviewer2", "demo-reviewer-2019", Role.REVIEWER, "Rikke Reviewer"),
    ("peer", "demo-peer-2019", Role.PEER_REVIEWER, "Per Peer"),
]

DATABASES = [
    "Academic Search",
    "EconLit",
    "PsycInfo",
    "Sociological Abstracts/Social Services Abstracts",
    "Social Sciences Citation Index (Web of Science)",
    "SocINDEX",
    "Campbell Library",
    "ProQuest Dissertations & Theses",
    "IDEAS/RePEc",
    "Netpunkt",
    "Forskningsdatabasen",
    "Oria",
    "NORA",
    "Libris",
    "SwePub",
]

STUDY_DESIGN_TERMS = [
    "RCT",
    "randomized controlled trial",
    "randomised controlled trial",
    "experiment",
    "case-control",
    "review",
    "meta-analysis",
    "causal effect",
    "impact",
    "evaluation",
    "natural experiment",
    "quasi-experiment",
    "instrumental variable",
    "IV",
    "exclusion restriction",
    "regression discontinuity",
    "propensity score matching",
    "difference-in-differences",
    "regression",
]

LIMITS = {
    "databases": DATABASES,
    "year_from": 2000,
    "year_to": 2019,
    "languages": ["da", "en", "no", "sv"],
    "regions": ["OECD countries"],
}

INCLUSION = (
    "Quantitative studies with a causal design (randomised trials, natural experiments, "
    "quasi-experimental and econometric designs) whose outcome is employment or education.\n"
    "Unemployed people receiving benefits (e.g. unemployment insurance or social assistance).\n"
    "Peer-reviewed articles as well as reports and working papers from research institutions."
)
EXCLUSION = (
    "Studies without a comparison that supports a causal interpretation.\n"
    "Outcomes not tied to employment or education.\n"
    "Studies published before 2000, outside the OECD, or in other languages than "
    "Danish, English, Norwegian or Swedish."
)

TOPIC_AREAS = [
    {
        "key": "distance-meetings",
        "title": "Møder på distance",
        "question": (
            "Do employment meetings held at a distance (video, telephone, online) rather than "
            "in person change unemployed people's transition to work or education?"
        ),
        "population": "Unemployed people in contact with the public employment service.",
        "population_terms": [
            "employment",
            "unemployed",
            "displaced",
            "job-seekers",
            "job-search",
        ],
        "intervention": (
            "Meetings between caseworker and unemployed person held at a distance, "
            "compared with meetings in person; outcome employment or education."
        ),
        "intervention_terms": [
            "video",
            "virtual",
            "telephone",
            "Skype",
            "online",
            "meeting",
            "web-based",
            "distance",
        ],
    },
    {
        "key": "caseworkers",
        "title": "Sagsbehandlerrelaterede forhold",
        "question": (
            "Which caseworker-related factors (caseload, continuity, expectations, the match "
            "between caseworker and client, ways of working) affect unemployed people's "
            "transition to work or education?"
        ),
        "population": (
            "Unemployed recipients of income transfers (e.g. unemployment insurance benefit or "
            "social assistance), and the caseworkers and employment services serving them."
        ),
        "population_terms": [
            "employment",
            "unemployed",
            "displaced",
            "job-seekers",
            "job-search",
            "case manager",
            "employment service",
            "job counsellor",
        ],
        "intervention": (
            "Administrative and resource factors (continuity, caseload), the dynamics between "
            "client and caseworker (expectations, trust, attitudes), and the match between them "
            "(gender, age, education, ethnicity)."
        ),
        "intervention_terms": [
            "change of caseworker",
            "role",
            "expectation",
            "understanding",
            "trust",
            "intense",
            "positive",
            "accommodating",
            "co-operative",
            "same sex",
            "similar age",
            "same ethnic group",
            "attitude",
            "approach",
            "mindset",
            "belief",
            "collaboration",
            "interaction",
            "optimistic",
            "mentor",
            "case load",
        ],
    },
]

DESCRIPTION = (
    "Demo review modelled on VIVE's 2019 literature review for the Danish Agency for Labour "
    "Market and Recruitment (STAR). Two topic areas: employment meetings held at a distance "
    "versus in person, and caseworker-related factors in employment services. Searches in 15 "
    "international and Nordic databases, publications 2000-2019 in Danish, English, Norwegian "
    "or Swedish from OECD countries, screened on title, abstract and full text, with "
    "snowballing. The second topic area found 1,008 hits and included 19 articles (16 from the "
    "search, 3 from snowballing); the first found 627 hits and one study. Evidence is graded "
    "on the Danish Ministry of Employment's knowledge hierarchy. A third topic area, on "
    "efforts for vulnerable unemployed people, holds records written for the demo and a "
    "screening in progress to try."
)


@transaction.atomic
def demo_load() -> list[tuple[str, str, str]]:
    """Create or refresh the demo review; returns (username, password, role) for printing.

    Idempotent: running it again resets the demo users' passwords to the printed
    ones and fills in anything missing, without duplicating or undoing work.
    """
    user_model = get_user_model()
    users = {}
    for username, password, _role, full_name in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, _created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        users[username] = user

    lead = users["lead"]
    project = Project.objects.filter(slug=DEMO_SLUG).first()
    if project is None:
        project = services.project_create(
            creator=lead,
            slug=DEMO_SLUG,
            title="Sagsbehandlerrelaterede forhold og møder på distance i beskæftigelsesindsatsen",
            description=DESCRIPTION,
            language="da",
        )
    for username, _password, role, _name in DEMO_USERS:
        if not Membership.objects.filter(project=project, user=users[username]).exists():
            services.membership_add(project=project, user=users[username], role=role, actor=lead)

    for position, topic in enumerate(TOPIC_AREAS, start=1):
        if TopicArea.objects.filter(project=project, key=topic["key"]).exists():
            continue
        services.topic_area_create(
            project=project,
            actor=lead,
            position=position,
            study_design="Quantitative effect studies with a causal design.",
            study_design_terms=STUDY_DESIGN_TERMS,
            inclusion_criteria=INCLUSION,
            exclusion_criteria=EXCLUSION,
            **LIMITS,
            **topic,
        )
    reviewers = [users["reviewer1"], users["reviewer2"]]
    seed_keys = set(TOPIC_KEYS.values())
    for topic_area in project.topic_areas.filter(key__in=seed_keys).order_by("position"):
        demo_screening_load(topic_area=topic_area, lead=lead, reviewers=reviewers)
        demo_grading_load(topic_area=topic_area, lead=lead, reviewer=reviewers[0])
    # The third topic area: the same field, with a screening in progress to try.
    demo_in_progress_load(project=project, lead=lead, reviewers=reviewers)
    return [(username, password, role.label) for username, password, role, _ in DEMO_USERS]
