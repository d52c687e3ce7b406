"""The sign-in page with login throttling."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse

from sladesk.web import throttle
from sladesk.web.forms import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    """Django's login (it rotates the session key: no session fixation, and refuses
    off-site `next` URLs) plus per-account-and-address throttling."""

    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = False

    def form_valid(self, form: Any) -> HttpResponse:
        throttle.clear(
            account=form.cleaned_data.get("username", ""), ip=throttle.client_ip(self.request)
        )
        return super().form_valid(form)

    def get_default_redirect_url(self) -> str:
        # Without a `next`, each person lands where their work is: customers' contact-centre
        # staff in the portal, the helpdesk in the console queue.
        user = self.request.user
        if getattr(user, "is_customer", False):
            return reverse("portal:home")
        return reverse("console:queue")

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
            response["Retry-After"] = "60"
        return response
