"""`adapter` for sqlfluff's Jinja templater (dbt_project/.sqlfluff, `library_path`).

sqlfluff renders models without dbt, so the macros that pick their SQL per engine through
`adapter.dispatch` (the record-level models, which Spark runs too) need a stand-in: the
dispatched macro renders as a call `<macro>()`, an expression sqlfluff parses in any position
(not a column reference, which the qualification rule would ask to qualify). The engines'
SQL itself is compiled and run by dbt on each engine (tests/suanli/lake).
"""

from __future__ import annotations

from collections.abc import Callable


def dispatch(macro_name: str, macro_namespace: str | None = None) -> Callable[..., str]:
    del macro_namespace  # one project: no other namespaces to search

    def placeholder(*args: object, **kwargs: object) -> str:
        return f"{macro_name}()"

    return placeholder
