"""The municipality's identity on every page: its name and logo in the header, its
colour through the NL Design System design tokens.

Everything comes from settings.MUNICIPALITY (read from the environment in
settings/base.py): `name`, `logo` (a static file of the portal, such as
"img/municipality-logo.svg", or a path the portal serves, such as
"/media/logo.png"; empty for none), `logo_alt` (empty: "Logo of <name>") and
`primary_colour` (#rrggbb).

The Content-Security-Policy allows no inline style, so the colour reaches the page
as a small stylesheet served by `theme_css` (/theme.css), linked in base.html
after the portal's own stylesheets. Its URL carries a hash of its content, so a
browser keeps it for a year and fetches it again only when the settings change.

The colour must keep the text on it and beside it readable: white text on the
colour, and the colour as text on white and on the portal's light grey, need a
contrast of at least 4.5:1 (WCAG 2.1 AA, SC 1.4.3). A colour that is not a hex
colour is refused (the portal's own blue is used); one that is too light is
darkened step by step until it passes. Both are logged as a warning at start.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import etag, require_safe

logger = logging.getLogger(__name__)

DEFAULT_COLOUR = "#24578f"
# The backgrounds the colour is used on or against: white and the light grey of
# alerts (--rtc-subtle in static/css/rtc.css).
BACKGROUNDS = ("#ffffff", "#f2f5f8")
MIN_CONTRAST = 4.5
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_hex(value: str) -> str | None:
    """'#RGB' or '#RRGGBB' (the # may be left out) as '#rrggbb'; None otherwise."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.1)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """Contrast ratio of two colours (WCAG 2.1), from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(colour: str, amount: float) -> str:
    """The colour mixed with black: 0 leaves it, 1 gives black."""
    r, g, b = (round(c * (1 - amount)) for c in _rgb(colour))
    return f"#{r:02x}{g:02x}{b:02x}"


def readable(colour: str) -> bool:
    return all(contrast(colour, background) >= MIN_CONTRAST for background in BACKGROUNDS)


def accessible_colour(value: str) -> tuple[str, str]:
    """The colour to use for `value`, and why it differs ("" when it does not).

    A value that is not a hex colour gives the portal's own colour; a colour too
    light for AA contrast is darkened in steps of 5% until it is readable.
    """
    colour = parse_hex(value)
    if colour is None:
        return DEFAULT_COLOUR, "not a hex colour"
    if readable(colour):
        return colour, ""
    for step in range(1, 21):
        darker = darken(colour, step / 20)
        if readable(darker):
            return darker, "too light for AA contrast"
    return DEFAULT_COLOUR, "too light for AA contrast"  # pragma: no cover - black passes


@dataclass(frozen=True)
class Identity:
    name: str
    logo_url: str
    logo_alt: str
    colour: str
    colour_dark: str
    css: str
    css_url: str


def _logo_url(logo: str) -> str:
    logo = (logo or "").strip()
    if not logo:
        return ""
    if logo.startswith("/") and not logo.startswith("//"):
        return logo  # a path the portal serves itself
    if "://" in logo or logo.startswith("//"):
        # Another site's image: the Content-Security-Policy would block it.
        logger.warning("MUNICIPALITY_LOGO %r is not served by the portal; no logo shown", logo)
        return ""
    return static(logo)


def _css(colour: str, dark: str) -> str:
    """The design tokens (and the portal's own colour variables) for the colour."""
    tokens = {
        "--rtc-brand": colour,
        "--rtc-brand-dark": dark,
        "--utrecht-link-color": colour,
        "--utrecht-link-hover-color": dark,
        "--utrecht-link-focus-color": dark,
        "--utrecht-link-visited-color": colour,
        "--utrecht-button-primary-action-background-color": colour,
        "--utrecht-button-primary-action-border-color": colour,
        "--utrecht-button-primary-action-color": "#ffffff",
        "--utrecht-button-primary-action-hover-background-color": dark,
        "--utrecht-button-primary-action-hover-border-color": dark,
        "--utrecht-button-secondary-action-color": colour,
        "--utrecht-button-secondary-action-border-color": colour,
    }
    lines = "\n".join(f"  {name}: {value};" for name, value in tokens.items())
    return (
        "/* The municipality's colour (settings.MUNICIPALITY, rtc_portal/theme.py). */\n"
        f":root, .utrecht-theme {{\n{lines}\n}}\n"
    )


def _digest(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()[:12]


@lru_cache(maxsize=4)
def _identity(name: str, logo: str, logo_alt: str, colour_setting: str) -> Identity:
    colour, why = accessible_colour(colour_setting)
    if why:
        logger.warning(
            "MUNICIPALITY_PRIMARY_COLOUR %r is %s; %s is used instead", colour_setting, why, colour
        )
    dark = darken(colour, 0.35)
    css = _css(colour, dark)
    digest = _digest(css)
    return Identity(
        name=name,
        logo_url=_logo_url(logo),
        logo_alt=logo_alt,
        colour=colour,
        colour_dark=dark,
        css=css,
        css_url=f"{reverse('theme-css')}?v={digest}",
    )


def identity() -> Identity:
    municipality = settings.MUNICIPALITY
    return _identity(
        municipality.get("name", ""),
        municipality.get("logo", ""),
        municipality.get("logo_alt", ""),
        municipality.get("primary_colour", DEFAULT_COLOUR),
    )


def identity_context(request) -> dict:
    """Context processor: `identity` for the header and the head of base.html."""
    current = identity()
    return {
        "identity": current,
        "identity_logo_alt": current.logo_alt
        or gettext("Logo of %(name)s") % {"name": current.name},
    }


@require_safe
@etag(lambda request: _digest(identity().css))
def theme_css(request):
    """The municipality's colour as design tokens. Public, the same for everyone; kept
    a year when asked for by its current versioned URL, five minutes otherwise."""
    current = identity()
    response = HttpResponse(current.css, content_type="text/css; charset=utf-8")
    versioned = request.GET.get("v") == _digest(current.css)
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
    )
    return response
