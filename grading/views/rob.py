"""Risk-of-bias pages: a result's RoB 2 / ROBINS-I assessment and a category's robvis charts."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grading.forms.rob import RobAssessmentForm, question_key
from grading.models import InterventionCategory, RobAssessment
from grading.rob import robvis
from grading.rob.base import ANSWER_LABELS, Answer
from grading.services import rob as services
from grading.views.common import category_or_404, result_or_404
from reviewapp.editing import save_form
from reviewapp.views import page_language, project_view, render_project, topic_area_or_404


def _initial(assessment: RobAssessment | None, tool: str, effect: str) -> dict:
    initial = {"tool": tool, "effect": effect, "version": assessment.version if assessment else 0}
    if assessment is None or (assessment.tool, assessment.effect) != (tool, effect):
        return initial
    initial.update({question_key(q): a for q, a in assessment.answers.items()})
    initial.update({f"judgement_{d}": j for d, j in assessment.domain_judgements.items()})
    initial["judgement_overall"] = assessment.overall
    initial.update({f"note_{key}": note for key, note in assessment.notes.items()})
    return initial


def _proposals(form: RobAssessmentForm, tool: str, effect: str, language: str) -> dict:
    """What the tool proposes from the answers on the form; the overall proposal from the
    confirmed domain judgements, or the proposals where none is confirmed yet."""
    labels = services.judgement_labels(tool, language)
    try:
        proposal = services.propose(tool, effect, form.answers())
    except ValueError:
        return {"domains": {}, "overall": None, "labels": labels}
    domains = {}
    judgements = []
    for domain in proposal.domains:
        code = domain.judgement.value if domain.judgement else ""
        domains[domain.domain] = {"code": code, "label": labels.get(code, ""), "path": domain.path}
        judgements.append(form.value(f"judgement_{domain.domain}") or domain.judgement)
    if any(j not in labels for j in judgements if j):
        judgements = [None]
    overall = services.TOOLS[tool].propose_overall(judgements)
    code = overall.judgement.value if overall.judgement else ""
    return {
        "domains": domains,
        "overall": {"code": code, "label": labels.get(code, ""), "rule": overall.rule},
        "labels": labels,
    }


def _sections(
    form: RobAssessmentForm, proposals: dict, language: str, tool: str, effect: str
) -> list[dict]:
    answer_index = 0 if language == "da" else 1
    answered = form.answers()
    try:
        unasked = services.not_asked(tool, effect, answered)
    except ValueError:
        unasked = set()
    sections = []
    for domain in form.domains:
        questions = []
        for question in domain.questions:
            value = answered.get(question.id, "")
            try:
                shown = ANSWER_LABELS[Answer(value)][answer_index] if value else ""
            except ValueError:
                shown = value
            questions.append(
                {
                    "question": question,
                    "field": form[question_key(question.id)],
                    "answer": shown,
                    "key": question_key(question.id),
                    "asked": question.id not in unasked,
                }
            )
        sections.append(
            {
                "domain": domain,
                "name": domain.name_da if language == "da" else domain.name_en,
                "questions": questions,
                "proposal": proposals["domains"].get(domain.id),
                "judgement": form[f"judgement_{domain.id}"],
                "judgement_label": proposals["labels"].get(
                    form.value(f"judgement_{domain.id}"), ""
                ),
                "note": form[f"note_{domain.id}"],
            }
        )
    return sections


def _choice(value, allowed, default) -> str:
    return value if value in allowed else default


@require_http_methods(["GET", "POST"])
@project_view("grading.view_grading")
def rob_assessment(request, project, topic_key, study_id, result_id):
    """GET: the assessment (htmx: just the proposals for the answers so far). POST: save."""
    topic_area = topic_area_or_404(project, topic_key)
    result = result_or_404(topic_area, study_id, result_id)
    can_assess = request.user.has_perm("grading.assess_risk_of_bias", project)
    if request.method == "POST" and not can_assess:
        raise PermissionDenied
    assessment = RobAssessment.objects.filter(result=result).first()
    source = request.POST if request.method == "POST" else request.GET
    tool = _choice(
        source.get("tool"),
        RobAssessment.Tool.values,
        assessment.tool if assessment else services.default_tool(result),
    )
    effect = _choice(
        source.get("effect"),
        RobAssessment.Effect.values,
        assessment.effect if assessment else RobAssessment.Effect.ASSIGNMENT,
    )
    language = page_language()
    options = {"tool": tool, "effect": effect, "language": language}
    if request.method == "POST":
        form = RobAssessmentForm(request.POST, **options)
    elif request.htmx and can_assess:
        form = RobAssessmentForm(request.GET, **options)
    else:
        form = RobAssessmentForm(initial=_initial(assessment, tool, effect), **options)

    def page(form):
        proposals = _proposals(form, tool, effect, language)
        template = "grading/rob_assessment.html"
        if request.htmx and request.method == "GET":
            template = "grading/_rob_live.html"
        return render_project(
            request,
            template,
            project,
            topic_area=topic_area,
            study=result.study,
            result=result,
            assessment=assessment,
            form=form,
            tool=tool,
            tool_label=RobAssessment.Tool(tool).label,
            effect=effect,
            effect_label=RobAssessment.Effect(effect).label,
            tools=RobAssessment.Tool.choices,
            effects=RobAssessment.Effect.choices,
            sections=_sections(form, proposals, language, tool, effect),
            proposals=proposals,
            overall_label=proposals["labels"].get(form.value("judgement_overall"), ""),
            replaces_other_tool=assessment is not None
            and (assessment.tool, assessment.effect) != (tool, effect),
            can_assess=can_assess,
        )

    return save_form(
        request,
        form,
        save=lambda _data: services.rob_assessment_save(
            result=result, actor=request.user, **form.service_fields()
        ),
        message=_("Risk-of-bias assessment saved; the verdict is being recomputed."),
        then=result.study,
        render=page,
        on_error=lambda form, error: form.add_service_errors(error),
    )


def _unique(labels: list[str]) -> list[str]:
    """Study labels as row names; a study with several results gets them numbered."""
    counts = defaultdict(int)
    for label in labels:
        counts[label] += 1
    seen = defaultdict(int)
    names = []
    for label in labels:
        seen[label] += 1
        names.append(f"{label} [{seen[label]}]" if counts[label] > 1 else label)
    return names


# Chart key -> robvis function, and the robvis title it starts from.
FIGURES = [
    ("traffic_light", robvis.traffic_light_svg, "traffic_title"),
    ("summary", robvis.summary_bar_svg, "summary_title"),
]


def category_charts(category: InterventionCategory, language: str) -> list[dict]:
    """The robvis traffic-light and summary SVGs of the category's assessed results, one
    pair per tool (robvis draws one tool at a time: their domains differ)."""
    assessments = (
        RobAssessment.objects.filter(result__category=category)
        .select_related("result__study")
        .order_by("result__study__year", "result__study__label", "result_id")
    )
    by_tool = defaultdict(list)
    for assessment in assessments:
        by_tool[assessment.tool].append(assessment)
    index = 0 if language == "da" else 1
    overall = "Samlet" if language == "da" else "Overall"  # robvis's word for the column
    charts = []
    for tool in RobAssessment.Tool.values:
        rows = by_tool.get(tool)
        if not rows:
            continue
        domains = services.tool_domains(tool)
        ids = [domain.id for domain in domains]
        names = {domain.id: (domain.name_da, domain.name_en)[index] for domain in domains}
        studies = _unique([row.result.study.label for row in rows])
        judgements = [[row.domain_judgements.get(d) for d in ids] + [row.overall] for row in rows]
        version = services.TOOLS[tool].TOOL_VERSION
        chart = {"tool": tool, "label": RobAssessment.Tool(tool).label, "count": len(rows)}
        for key, draw, title in FIGURES:
            svg = draw(
                studies,
                [*ids, overall],
                judgements,
                domain_names=names,
                language=language,
                title=f"{robvis.TEXT[title][index]}: {category.title} ({version})",
                id_prefix=f"rob-{key}-{tool}",
            )
            # robvis escapes every text it writes (study labels, titles): safe inline.
            chart[key] = mark_safe(svg)  # noqa: S308
        charts.append(chart)
    return charts


def _charts(project, topic_key, category_key):
    topic_area = topic_area_or_404(project, topic_key)
    category = category_or_404(topic_area, category_key)
    return topic_area, category, category_charts(category, page_language())


@require_GET
@project_view("grading.view_grading")
def rob_charts(request, project, topic_key, category_key):
    """The charts: an htmx fragment on the verdict page, or a page of their own."""
    topic_area, category, charts = _charts(project, topic_key, category_key)
    fragment = "#charts" if request.htmx else ""
    context = {"topic_area": topic_area, "category": category, "charts": charts}
    return render_project(request, f"grading/rob_charts.html{fragment}", project, **context)


@require_GET
@project_view("grading.view_grading")
def rob_chart_svg(request, project, topic_key, category_key, tool, chart):
    _topic_area, category, charts = _charts(project, topic_key, category_key)
    found = [c for c in charts if c["tool"] == tool]
    if not found:
        raise Http404
    response = HttpResponse(str(found[0][chart]), content_type="image/svg+xml")
    filename = f"rob-{category.key}-{tool}-{chart.replace('_', '-')}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
