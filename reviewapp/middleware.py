"""A readable page for a URL asked with the wrong method.

Django's `require_POST` answers a GET with an empty 405: a person who follows a form's
address (a bookmark, a reload after a redirect failed, a pasted link) saw a blank page.
The API answers in its own error shape and keeps its 405s.
"""

from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.content
            and not request.path.startswith("/api/")
            and request.method in ("GET", "HEAD")
        ):
            page = render(request, "405.html", {"allowed": response.get("Allow", "")}, status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
