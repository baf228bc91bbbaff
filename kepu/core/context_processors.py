from django.conf import settings


def site(request):
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "site_url": settings.SITE_URL,
    }


def staff(request):
    from kepu.organisations.scoping import is_staff_member

    user = getattr(request, "user", None)
    return {"is_staff_member": bool(user and user.is_authenticated and is_staff_member(user))}


def language_links(request):
    """The current page in each interface language: plain links, so that the switcher works
    without JavaScript and pages stay cacheable (no CSRF token in the header)."""
    from django.conf import settings
    from django.urls import translate_url

    path = request.get_full_path()
    return {
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code)}
            for code, name in settings.LANGUAGES
        ]
    }
