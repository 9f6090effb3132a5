from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from reviewapp.accounts.throttling import throttle_hit
from reviewapp.mail import mail_send, user_language
from reviewapp.models import Role, UserProfile


class _Crispy:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class InvitationForm(_Crispy, forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REVIEWER)
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=UserProfile.Language.choices,
        help_text=_("Someone who already has an account gets it in their own language."),
    )

    def __init__(self, *args, **kwargs):
        # Three member forms share a page: distinct ids keep labels unambiguous.
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)


class InvitationSignupForm(_Crispy, forms.Form):
    """A new person's account, made from an invitation (the address is the invitation's)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy: the validators' help is translated when the page is shown, not at import.
        help_text=lazy(password_validation.password_validators_help_text_html, str)(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken; choose another."))
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            user = get_user_model()(
                username=data.get("username", ""),
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfilePreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=UserProfile.Language.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )
    notify = forms.ChoiceField(
        label=_("Notifications by e-mail"),
        choices=UserProfile.Notify.choices,
        help_text=_(
            "Conflicts waiting for a lead, answers to your comments, a consensus waiting for "
            "you, your imports. Invitations are always mailed."
        ),
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending through reviewapp.mail in the person's language, and
    at most PASSWORD_RESET_PER_EMAIL mails an hour to one address (the page answers the same
    either way: it never tells whether an address has an account)."""

    def __init__(self, *args, per_email_limit: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.per_email_limit = per_email_limit

    def get_users(self, email):
        if not throttle_hit("email", email, limit=self.per_email_limit):
            return iter(())
        return super().get_users(email)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        user = context["user"]
        mail_send(
            to=to_email,
            template="password_reset",
            language=user_language(user),
            context={
                "user_name": user.get_full_name() or user.get_username(),
                "username": user.get_username(),
                "link": f"{context['protocol']}://{context['domain']}{path}",
            },
        )
