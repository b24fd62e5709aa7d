"""HTML responses: the jinja2 templates (loaded on the first page) and the security headers every page and
fragment carries (the Content-Security-Policy below)."""

from __future__ import annotations

from aiohttp import web

from llms import paths

__all__ = ["Templates", "html_response", "CONTENT_SECURITY_POLICY"]

# Model output is rendered as HTML (sanitized); this policy is the second wall: no script but ours,
# no inline script, and no request to another host, so a remote image or CSS url() cannot leak a thing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class Templates:
    """The jinja2 templates, loaded on the first page: importing jinja2 is not on the start-up path."""

    def __init__(self):
        self._environment = None

    def get_template(self, name: str):
        if self._environment is None:
            import jinja2

            self._environment = jinja2.Environment(
                loader=jinja2.FileSystemLoader(paths.TEMPLATES_DIR),
                autoescape=True,
                trim_blocks=True,
                lstrip_blocks=True,
                undefined=jinja2.StrictUndefined,  # a misspelt name fails loudly instead of rendering ""
            )
        return self._environment.get_template(name)


def html_response(text: str) -> web.Response:
    """An HTML page or fragment with our security headers (the CSP above)."""
    response = web.Response(text=text, content_type="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
