"""Sign-in, sign-out and the person's own account pages."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kepu.core.errors import DomainError
from kepu.core.middleware import ElderModeMiddleware
from kepu.core.ratelimit import client_address

from . import services
from .forms import CodeForm, DeleteAccountForm, LoginForm, PhoneForm, ProfileForm
from .models import Notification

BACKEND = "kepu.accounts.backends.PhoneOrEmailBackend"
ELDER_COOKIE_AGE = 365 * 24 * 3600


def _safe_url(request: HttpRequest, url: str | None) -> str | None:
    """``url`` when it stays on this site (no open redirect), else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _next(request: HttpRequest) -> str:
    return request.POST.get("next") or request.GET.get("next") or ""


def _redirect_next(request: HttpRequest, default: str = "campaigns:home") -> HttpResponse:
    return redirect(_safe_url(request, _next(request)) or reverse(default))


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _set_elder_cookie(response: HttpResponse, on: bool) -> None:
    if on:
        response.set_cookie(
            ElderModeMiddleware.COOKIE,
            "1",
            max_age=ELDER_COOKIE_AGE,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(ElderModeMiddleware.COOKIE, samesite="Lax")


def _signed_in(request: HttpRequest, user) -> HttpResponse:
    """Log ``user`` in and go on to a safe ``next``, or home in the person's language."""
    auth_login(request, user, backend=BACKEND)
    target = _safe_url(request, _next(request))
    if target is None:
        target = reverse("campaigns:home")
        if user.language:
            target = translate_url(target, user.language)
    response = redirect(target)
    if user.language:
        _set_language_cookie(response, user.language)
    return response


# --- Sign-in and sign-out -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in_with_password(
                form.cleaned_data["identifier"],
                form.cleaned_data["password"],
                address=client_address(request),
                request=request,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            return _signed_in(request, user)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _next(request)},
        status=status or (400 if form.errors else 200),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def code_request(request):
    form = PhoneForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    status = None
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            services.send_login_code(phone, address=client_address(request))
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.info(request, _("We have sent a sign-in code by SMS."))
            query = {"phone": phone}
            if _safe_url(request, _next(request)):
                query["next"] = _next(request)
            return redirect(f"{reverse('accounts:code-verify')}?{urlencode(query)}")
    return render(
        request,
        "accounts/code_request.html",
        {"form": form, "next": _next(request)},
        status=status or (400 if form.errors else 200),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def code_verify(request):
    form = CodeForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.verify_login_code(
                form.cleaned_data["phone"],
                form.cleaned_data["code"],
                address=client_address(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            return _signed_in(request, user)
    return render(
        request,
        "accounts/code_verify.html",
        {"form": form, "next": _next(request)},
        status=status or (400 if form.errors else 200),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request):
    if request.method == "POST":
        auth_logout(request)
        return redirect("campaigns:home")
    if not request.user.is_authenticated:
        return redirect("campaigns:home")
    return render(request, "accounts/logout.html")


# --- The person's own account -------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    initial = {f: getattr(user, f) or "" for f in services.PROFILE_FIELDS}
    initial["elder_mode"] = user.elder_mode
    form = ProfileForm(request.POST or None, initial=initial)
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.update_profile(user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            target = reverse("accounts:profile")
            if user.language:
                target = translate_url(target, user.language)
            response = redirect(target)
            if user.language:
                _set_language_cookie(response, user.language)
            _set_elder_cookie(response, user.elder_mode)
            messages.success(request, _("Your profile has been saved."))
            return response
    memberships = user.memberships.select_related("organisation").order_by("organisation__path")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "memberships": memberships},
        status=status or (400 if form.errors else 200),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def phone_change(request):
    """Step 1 of changing the phone number: send a code to the new number."""
    form = PhoneForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    status = None
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            services.send_phone_change_code(
                request.user, phone=phone, address=client_address(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.info(request, _("We have sent a code by SMS to the new number."))
            query = urlencode({"phone": phone})
            return redirect(f"{reverse('accounts:phone-change-verify')}?{query}")
    return render(
        request,
        "accounts/phone_change.html",
        {"form": form},
        status=status or (400 if form.errors else 200),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def phone_change_verify(request):
    """Step 2: the code from the SMS proves the number; only then is it the person's."""
    form = CodeForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            services.change_phone(
                request.user,
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                address=client_address(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Your phone number has been changed."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/phone_change_verify.html",
        {"form": form},
        status=status or (400 if form.errors else 200),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    user = request.user
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def data_export(request):
    data = services.export_personal_data(request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="kepu-personal-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def data_delete(request):
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    status = None
    if request.method == "POST":
        try:
            if user.has_usable_password():
                # The password check must not become a way round the sign-in throttle.
                services.check_password_login_allowed(
                    user.email or user.phone, address=client_address(request)
                )
            if form.is_valid():
                services.delete_account(user, actor=user)
                auth_logout(request)
                messages.success(request, _("Your account and personal data have been deleted."))
                return redirect("campaigns:home")
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
    open_registrations = user.registrations.active().select_related("activity")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "open_registrations": open_registrations},
        status=status or (400 if form.errors else 200),
    )


@never_cache
@login_required
def notification_list(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@never_cache
@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_notification_read(notification, user=request.user)
    target = notification.url if notification.url.startswith("/") else None
    return redirect(_safe_url(request, target) or reverse("accounts:notification-list"))


# --- Elder mode ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def elder_mode(request):
    """Turn elder mode on or off. A GET (a plain link), so anonymous pages carry no CSRF token;
    POST is accepted too for forms that already post here."""
    params = request.POST if request.method == "POST" else request.GET
    response = redirect(_safe_url(request, params.get("next")) or reverse("campaigns:home"))
    on = params.get("on")
    if on not in ("0", "1"):
        return response
    _set_elder_cookie(response, on == "1")
    if request.user.is_authenticated:
        services.set_elder_mode(request.user, on=on == "1")
    return response
