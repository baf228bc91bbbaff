from django.conf import settings

# A QR code holds a few hundred characters comfortably; longer addresses (huge query strings)
# fall back to the page without its query.
PAGE_QR_MAX_URL = 300


def page_url(request) -> str:
    """The absolute address of the current page, on the public site address when it is set."""
    path = request.get_full_path()
    base = settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")
    url = base + path
    if len(url) > PAGE_QR_MAX_URL:
        url = base + request.path
    return url


def site(request):
    def page_qr():
        # Lazy: computed only when a template shows it (the footer QR, 扫一扫在手机打开当前页).
        from kepu.core.qr import qr_svg

        url = page_url(request)
        if len(url) > PAGE_QR_MAX_URL:
            return ""
        return qr_svg(url, scale=3, page=True)

    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "site_url": settings.SITE_URL,
        "page_qr": page_qr,
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
