"""Risk-of-bias pages: a result's RoB 2 / ROBINS-I assessment and a category's robvis charts."""

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grading import services_rob
from grading.models import InterventionCategory, Result, RobAssessment
from grading.rob import robvis
from grading.rob.base import ANSWER_LABELS, Answer
from grading.views import _category
from reviewapp.versioning import EditConflict
from reviewapp.views import (
    conflict_message,
    page_language,
    project_view,
    render_project,
    topic_area_or_404,
)

OVERALL = services_rob.OVERALL


def _key(question_id: str) -> str:
    return "q_" + question_id.replace(".", "_")


class RobAssessmentForm(forms.Form):
    """The signalling questions as radio groups, and the judgements the reviewer confirms."""

    tool = forms.CharField(widget=forms.HiddenInput)
    effect = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, tool: str, effect: str, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = services_rob.tool_domains(tool, effect)
        answer_index = 0 if language == "da" else 1
        blank = [("", "—")]
        choices = blank + list(services_rob.judgement_labels(tool, language).items())
        for domain in self.domains:
            for question in domain.questions:
                text = question.text_da if language == "da" else question.text_en
                self.fields[_key(question.id)] = forms.ChoiceField(
                    label=f"{question.id} {text}",
                    choices=[
                        (answer.value, ANSWER_LABELS[answer][answer_index])
                        for answer in Answer
                        if answer in question.answers
                    ],
                    required=False,
                    widget=forms.RadioSelect,
                )
            self.fields[f"judgement_{domain.id}"] = forms.ChoiceField(
                label=_("Judgement"), choices=choices, required=False
            )
            self.fields[f"note_{domain.id}"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["judgement_overall"] = forms.ChoiceField(
            label=_("Overall judgement"), choices=choices, required=False
        )
        self.fields["note_overall"] = forms.CharField(
            label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )

    def answers(self) -> dict[str, str]:
        """The answers as entered so far (bound) or as saved (initial), valid or not."""
        answers = {}
        for domain in self.domains:
            for question in domain.questions:
                name = _key(question.id)
                value = self.data.get(name) if self.is_bound else self.initial.get(name)
                if value:
                    answers[question.id] = value
        return answers

    def value(self, name: str) -> str:
        return (self.data.get(name) if self.is_bound else self.initial.get(name)) or ""

    def service_fields(self) -> dict:
        data = self.cleaned_data
        domain_ids = [domain.id for domain in self.domains]
        return {
            "tool": data["tool"],
            "effect": data["effect"],
            "answers": self.answers(),
            "domain_judgements": {d: data[f"judgement_{d}"] for d in domain_ids},
            "overall": data["judgement_overall"],
            "notes": {key: data[f"note_{key}"] for key in [*domain_ids, OVERALL]},
            "expected_version": data["version"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages_ in error.message_dict.items():
            name = f"judgement_{key}"
            self.add_error(name if name in self.fields else None, messages_)


def _initial(assessment: RobAssessment | None, tool: str, effect: str) -> dict:
    initial = {"tool": tool, "effect": effect, "version": assessment.version if assessment else 0}
    if assessment is None or (assessment.tool, assessment.effect) != (tool, effect):
        return initial
    initial.update({_key(q): a for q, a in assessment.answers.items()})
    initial.update({f"judgement_{d}": j for d, j in assessment.domain_judgements.items()})
    initial["judgement_overall"] = assessment.overall
    initial.update({f"note_{key}": note for key, note in assessment.notes.items()})
    return initial


def _proposals(form: RobAssessmentForm, tool: str, effect: str, language: str) -> dict:
    """What the tool proposes from the answers on the form; the overall proposal from the
    confirmed domain judgements, or the proposals where none is confirmed yet."""
    labels = services_rob.judgement_labels(tool, language)
    try:
        proposal = services_rob.propose(tool, effect, form.answers())
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
    overall = services_rob.TOOLS[tool].propose_overall(judgements)
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
        unasked = services_rob.not_asked(tool, effect, answered)
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
                    "field": form[_key(question.id)],
                    "answer": shown,
                    "key": _key(question.id),
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


def _result(topic_area, study_id, result_id) -> Result:
    result = get_object_or_404(
        Result.objects.select_related("study", "category"),
        study__topic_area=topic_area,
        study_id=study_id,
        pk=result_id,
    )
    result.study.topic_area = topic_area
    return result


def _choice(value, allowed, default) -> str:
    return value if value in allowed else default


@require_http_methods(["GET", "POST"])
@project_view("grading.view_grading")
def rob_assessment(request, project, topic_key, study_id, result_id):
    """GET: the assessment (htmx: just the proposals for the answers so far). POST: save."""
    topic_area = topic_area_or_404(project, topic_key)
    result = _result(topic_area, study_id, result_id)
    can_assess = request.user.has_perm("grading.assess_risk_of_bias", project)
    if request.method == "POST" and not can_assess:
        raise PermissionDenied
    assessment = RobAssessment.objects.filter(result=result).first()
    source = request.POST if request.method == "POST" else request.GET
    tool = _choice(
        source.get("tool"),
        RobAssessment.Tool.values,
        assessment.tool if assessment else services_rob.default_tool(result),
    )
    effect = _choice(
        source.get("effect"),
        RobAssessment.Effect.values,
        assessment.effect if assessment else RobAssessment.Effect.ASSIGNMENT,
    )
    language = page_language()
    options = {"tool": tool, "effect": effect, "language": language}
    status = 200
    if request.method == "POST":
        form = RobAssessmentForm(request.POST, **options)
        if form.is_valid():
            try:
                services_rob.rob_assessment_save(
                    result=result, actor=request.user, **form.service_fields()
                )
            except EditConflict:
                form.add_error(None, conflict_message())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("Risk-of-bias assessment saved; the verdict is being recomputed.")
                )
                return redirect(result.study)
        status = 400
    elif request.htmx and can_assess:
        form = RobAssessmentForm(request.GET, **options)
    else:
        form = RobAssessmentForm(initial=_initial(assessment, tool, effect), **options)
    proposals = _proposals(form, tool, effect, language)
    template = "grading/rob_assessment.html"
    if request.htmx and request.method == "GET":
        template = "grading/_rob_live.html"
    response = render_project(
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
    response.status_code = status
    return response


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
        domains = services_rob.tool_domains(tool)
        ids = [domain.id for domain in domains]
        names = {domain.id: (domain.name_da, domain.name_en)[index] for domain in domains}
        studies = _unique([row.result.study.label for row in rows])
        judgements = [[row.domain_judgements.get(d) for d in ids] + [row.overall] for row in rows]
        version = services_rob.TOOLS[tool].TOOL_VERSION
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
    category = _category(topic_area, category_key)
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
