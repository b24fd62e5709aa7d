"""The analytics pages: /analytics/costs, /analytics/tokens, /analytics/activity.

Each page is the same shell (ui/templates/analytics.html) with its own partial; the figures are computed in the
browser from IndexedDB (ui/static/js/pages/*.js). Month, range and filters live in the query string, which the
pages read and write, so back, forward and reload keep the place.
"""

from __future__ import annotations

from aiohttp import web

from llms import __version__
from llms.server.keys import TEMPLATES
from llms.server.html import html_response

__all__ = ["add_routes", "PAGES"]

# path segment → title; each has ui/templates/_analytics_<segment>.html and ui/static/js/pages/<segment>.js
PAGES = {
    "costs": "Costs",
    "tokens": "Tokens",
    "activity": "Activity",
}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/analytics", analytics_home)
    app.router.add_get("/analytics/{page}", analytics_page)


async def analytics_home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/analytics/costs" + (f"?{request.query_string}" if request.query_string else ""))


async def analytics_page(request: web.Request) -> web.Response:
    page = request.match_info["page"]
    if page not in PAGES:
        raise web.HTTPNotFound(reason=f"no analytics page {page!r}: try /analytics/costs, /tokens or /activity")
    template = request.app[TEMPLATES].get_template("analytics.html")
    return html_response(template.render(version=__version__, page=page, pages=PAGES, title=PAGES[page]))
