"""The portal's statements: privacy, accessibility and contact.

Each statement is written whole in each language (templates/statements/
<name>.<lang>.html) rather than sentence by sentence through the translation
catalogue: a legal text reads as one text, and is reviewed as one. Their content is
fixed text with the municipality's details from settings (MUNICIPALITY,
ACCESSIBILITY_STATEMENT_DATE, RETENTION_YEARS), so they are served from the page
cache like the other public pages.
"""

import datetime

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from challenges.page_cache import cached_public_page


def _context() -> dict:
    try:
        checked = datetime.date.fromisoformat(settings.ACCESSIBILITY_STATEMENT_DATE)
    except ValueError:
        checked = None
    return {
        "municipality": settings.MUNICIPALITY,
        "statement_date": checked,
        "retention_years": settings.RETENTION_YEARS,
    }


def _statement(request, name: str):
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    templates = [f"statements/{name}.{language}.html", f"statements/{name}.nl.html"]
    return render(request, templates, _context())


@cached_public_page
def privacy(request):
    return _statement(request, "privacy")


@cached_public_page
def accessibility(request):
    return _statement(request, "accessibility")


@cached_public_page
def contact(request):
    return _statement(request, "contact")
