"""What is wrong with a delivery, said so that the agency can fix the file: one line per problem.

A `Problem` names the file, the row as delivered (the line of a CSV, the sheet row of a
spreadsheet), the column by its header text, the offending value and what was expected.
Validators collect every problem; `DeliveryError` carries them when a delivery cannot be used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

UNKNOWN_REGION = "unknown_region"
AMBIGUOUS_REGION = "ambiguous_region"
MISSING_REGION = "missing_region"
DUPLICATE_REGION = "duplicate_region"
NOT_A_NUMBER = "not_a_number"
NEGATIVE_COUNT = "negative_count"
UNKNOWN_UNIT = "unknown_unit"
UNKNOWN_STATISTIC = "unknown_statistic"
SCHEMA_CHANGE = "schema_change"
EMPTY_FILE = "empty_file"
TRUNCATED_FILE = "truncated_file"
YEAR_OUT_OF_RANGE = "year_out_of_range"
UNREADABLE_ENCODING = "unreadable_encoding"
UNKNOWN_FORMAT = "unknown_format"
# Record-level deliveries also need these two: a required cell left empty, a date that is not one.
MISSING_VALUE = "missing_value"
NOT_A_DATE = "not_a_date"
# The typed contract: whole numbers, bounded values, flags and enumerations.
NOT_A_WHOLE_NUMBER = "not_a_whole_number"
OUT_OF_RANGE = "out_of_range"
NOT_A_FLAG = "not_a_flag"
NOT_ALLOWED = "not_allowed"
# Reading the file: separators, field sizes, extra fields, encodings, anything unforeseen.
WRONG_DELIMITER = "wrong_delimiter"
FIELD_TOO_LONG = "field_too_long"
EXTRA_FIELD = "extra_field"
MIXED_ENCODING = "mixed_encoding"
INTAKE_ERROR = "intake_error"
# Audits of a candidate delivery before it may become current.
DUPLICATE_KEY = "duplicate_key"
IMPLAUSIBLE_CHANGE = "implausible_change"
# Expert questionnaires: an answer off Saaty's scale (suanli.index.panel.scale), and the
# answers as a whole (suanli.index.panel.validate).
OFF_SCALE = "off_scale"
UNKNOWN_NODE = "unknown_node"
UNCONNECTED_COMPARISONS = "unconnected_comparisons"
INCONSISTENT_JUDGEMENTS = "inconsistent_judgements"
# Record-level meter telemetry (suanli.intake.telemetry): a register that ran backwards, a
# reading outside the file's month; hours without a reading (a note: accepted).
METER_RESET = "meter_reset"
OUTSIDE_PERIOD = "outside_period"
HOURS_MISSING = "hours_missing"

KINDS = frozenset(
    {
        UNKNOWN_REGION,
        AMBIGUOUS_REGION,
        MISSING_REGION,
        DUPLICATE_REGION,
        NOT_A_NUMBER,
        NEGATIVE_COUNT,
        UNKNOWN_UNIT,
        UNKNOWN_STATISTIC,
        SCHEMA_CHANGE,
        EMPTY_FILE,
        TRUNCATED_FILE,
        YEAR_OUT_OF_RANGE,
        UNREADABLE_ENCODING,
        UNKNOWN_FORMAT,
        MISSING_VALUE,
        NOT_A_DATE,
        NOT_A_WHOLE_NUMBER,
        OUT_OF_RANGE,
        NOT_A_FLAG,
        NOT_ALLOWED,
        WRONG_DELIMITER,
        FIELD_TOO_LONG,
        EXTRA_FIELD,
        MIXED_ENCODING,
        INTAKE_ERROR,
        DUPLICATE_KEY,
        IMPLAUSIBLE_CHANGE,
        OFF_SCALE,
        UNKNOWN_NODE,
        UNCONNECTED_COMPARISONS,
        INCONSISTENT_JUDGEMENTS,
        METER_RESET,
        OUTSIDE_PERIOD,
        HOURS_MISSING,
    }
)

MAX_LISTED = 10


def year_ranges(years: Sequence[int]) -> str:
    """[2006, 2007, 2008, 2010] → `2006–2008, 2010`: years as a message lists them."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in spans)


def _one_line(text: str) -> str:
    # A value copied from a broken file may hold line breaks; the message must stay one line.
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


@dataclass(frozen=True)
class Problem:
    kind: str
    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    # The line a text editor shows, where it differs from the spreadsheet row (a quoted line
    # break inside an earlier record); a whole-file problem may name only a line.
    line: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown problem kind {self.kind!r}")

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.line is not None:
            where = (
                [f"{where[0]} (line {self.line} in a text editor)"]
                if where
                else [f"line {self.line}"]
            )
        if self.column is not None:
            where.append(f'column "{_one_line(self.column)}"')
        head = self.file + (": " + ", ".join(where) if where else "")
        if self.value is not None:
            head += f': value "{_one_line(self.value)}"'
        label = self.kind.replace("_", " ")
        return f"{head} — expected {_one_line(self.expected)} ({label})"


class DeliveryError(ValueError):
    """A delivery that cannot be used; `problems` lists everything found, the message the first."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        if not problems:
            raise ValueError("DeliveryError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        # Intake keeps the first problems in detail; `total` counts them all.
        self.total = max(total or 0, len(self.problems))
        lines = [str(problem) for problem in self.problems[:MAX_LISTED]]
        if self.total > MAX_LISTED:
            lines.append(f"… and {self.total - MAX_LISTED} more")
        super().__init__("\n".join(lines))
