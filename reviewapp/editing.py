"""The one body of every edit page: bind the form, validate, call the service, and either
redirect with a message or show the form again with what went wrong.

The base app's, so every app's views use it (it imports no app). A POST that does not save
(invalid data, a service's ValidationError, someone else's newer save) answers 400 with the
form and its errors; a GET answers 200.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from reviewapp.versioning import EditConflict


def conflict_message() -> str:
    return _(
        "Someone else saved this in the meantime, so your changes were not saved. "
        "Reload the page to see their version, then make your changes again."
    )


def add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def save_form(
    request,
    form,
    *,
    save: Callable[[dict], object],
    render: Callable[[object], HttpResponse],
    message: str | Callable[[object], str],
    then: Callable[[object], object] | object | None = None,
    on_error: Callable[[object, ValidationError], None] = add_errors,
) -> HttpResponse:
    """On a POST with valid data, `save(cleaned_data)` (the service call) and redirect to
    `then(saved)` (or `then`, or the saved object's page) with `message`; otherwise
    `render(form)`, with status 400 for a POST that did not save.

    `on_error` puts a service's ValidationError onto the form (default `add_errors`)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except EditConflict:
            form.add_error(None, conflict_message())
        except ValidationError as error:
            on_error(form, error)
        else:
            messages.success(request, message(saved) if callable(message) else message)
            target = then(saved) if callable(then) else then
            return redirect(target if target is not None else saved)
    response = render(form)
    if request.method == "POST":
        response.status_code = 400
    return response
