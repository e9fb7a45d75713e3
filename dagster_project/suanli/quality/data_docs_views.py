"""GX's page views, drawn from our templates first: Data Docs that need no network.

GX's templates link Bootstrap, jQuery, bootstrap-table and Font Awesome from CDNs, and its index
lists validations only once bootstrap-table's script has run: offline the index is empty and the
pages unstyled. GX looks in a custom views folder only after its own templates, so these views
put `data_docs_templates/` in front. The templates there replace only the pages' heads, the
navigation bar and the JavaScript table (drawn as HTML); every other template is GX's.
"""

from __future__ import annotations

from pathlib import Path

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import ChoiceLoader, FileSystemLoader

TEMPLATES = Path(__file__).with_name("data_docs_templates")


def _ours_first(loader: object) -> ChoiceLoader:
    return ChoiceLoader([FileSystemLoader(str(TEMPLATES)), loader])  # type: ignore[list-item]


class OfflinePageView(DefaultJinjaPageView):
    """A validation page with our head and navigation bar."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.env.loader = _ours_first(self.env.loader)


class OfflineIndexPageView(DefaultJinjaIndexPageView):
    """The site's index, its table of validations drawn as HTML."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.env.loader = _ours_first(self.env.loader)


# How the site builder names them (`view` of a section builder and of the index builder).
PAGE_VIEW = {"module_name": __name__, "class_name": OfflinePageView.__name__}
INDEX_VIEW = {"module_name": __name__, "class_name": OfflineIndexPageView.__name__}
