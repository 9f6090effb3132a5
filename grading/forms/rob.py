"""A result's risk-of-bias assessment: the tool's signalling questions and the judgements
the reviewer confirms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grading.rob.base import ANSWER_LABELS, Answer
from grading.services import rob as services
from grading.services.rob import OVERALL


def question_key(question_id: str) -> str:
    """The form field of a signalling question."""
    return "q_" + question_id.replace(".", "_")


class RobAssessmentForm(forms.Form):
    """The signalling questions as radio groups, and the judgements the reviewer confirms."""

    tool = forms.CharField(widget=forms.HiddenInput)
    effect = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, tool: str, effect: str, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = services.tool_domains(tool, effect)
        answer_index = 0 if language == "da" else 1
        blank = [("", "—")]
        choices = blank + list(services.judgement_labels(tool, language).items())
        for domain in self.domains:
            for question in domain.questions:
                text = question.text_da if language == "da" else question.text_en
                self.fields[question_key(question.id)] = forms.ChoiceField(
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
                name = question_key(question.id)
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
