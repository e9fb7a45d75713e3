"""A corpus of bad deliveries: each a file as an agency might really send it, built from the
bundled good one (or from scratch), and every line the pipeline must say about it.

Each entry lands in its own slot of the landing layout (a yearly source's year, a cumulative
list, a statistics table's file name), so that the whole corpus goes through one pipeline run
at once: every file quarantined, the delivery in force before it still current.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from suanli.settings import SEEDS_DIR, SNAPSHOT_DIR

THIS_YEAR = dt.date.today().year  # a year cell is refused beyond the current year
MAX_CELL_CHARS = 200  # SUANLI_MAX_CELL_CHARS for the over-long cell (the snapshot's longest: 35)

Rows = list[list[str]]
# Sources of any number of files, each its own slot (its file name).
MULTI_FILE_SOURCES = ("provincial_statistics", "expert_judgements")
# Sources of a file per month in the year's folder, each its own slot (`2025-03`).
MONTHLY_SOURCES = ("centre_energy",)


@dataclass(frozen=True)
class BadDelivery:
    """A bad file for `path` (relative to the landing location) and the lines it must produce:
    every problem, in the order the check command prints them."""

    id: str
    source: str
    path: str
    build: Callable[[], bytes]
    messages: tuple[str, ...]
    # Environment the pipeline runs with (the over-long cell needs a lower SUANLI_MAX_CELL_CHARS).
    env: Mapping[str, str] = field(default_factory=dict)
    # Judged against the delivery in force for the same slot (plausibility): refused by the
    # pipeline, and by the check command only beside a warehouse that holds that delivery.
    supersedes: bool = False

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    @property
    def slot(self) -> str | None:
        """The delivery slot (`raw.deliveries.partition_key`) the file lands in."""
        if self.source in MULTI_FILE_SOURCES:
            return self.file_name
        if self.source in MONTHLY_SOURCES:
            return self.file_name.rsplit("_", 1)[-1].split(".")[0]
        year = self.file_name.rsplit("_", 1)[-1].removesuffix(".csv")
        return year if year.isdigit() else None

    def content(self) -> bytes:
        return _built(self.build)


@cache
def _built(build: Callable[[], bytes]) -> bytes:
    return build()


# --------------------------------------------------------------------------- building files

TELEMETRY_MARCH = "centre_energy/2025/centre_energy_2025-03.parquet"


def _bad_march() -> bytes:
    """The bundled March of metered energy with a negative reading (row 1), a meter reset
    (row 101) and a duplicated hour (row 10 again, at the end)."""
    import tempfile

    import duckdb

    with tempfile.TemporaryDirectory() as directory, duckdb.connect() as connection:
        connection.execute(f"create table m as select * from '{SNAPSHOT_DIR / TELEMETRY_MARCH}'")
        connection.execute("update m set clean_kwh = -3 where rowid = 0")
        connection.execute("update m set it_kwh = 12.5 where rowid = 100")
        connection.execute("insert into m select * from m where rowid = 9")
        out = Path(directory) / "march.parquet"
        connection.execute(f"copy (select * from m order by rowid) to '{out}' (format parquet)")
        return out.read_bytes()


def bundled(path: str) -> bytes:
    return (SNAPSHOT_DIR / path).read_bytes()


def read_rows(content: bytes, encoding: str = "utf-8") -> Rows:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def write_rows(rows: Rows, encoding: str = "utf-8", line_end: str = "\n") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue().encode(encoding)


def edited(path: str, edit: Callable[[Rows], Rows | None]) -> Callable[[], bytes]:
    """The bundled record file with `edit` applied to its rows (header = rows[0])."""

    def build() -> bytes:
        rows = read_rows(bundled(path))
        return write_rows(edit(rows) or rows)

    return build


def cells(path: str, changes: Mapping[tuple[int, str], str]) -> Callable[[], bytes]:
    """The bundled record file with cells changed: {(spreadsheet row, column): new text}."""

    def edit(rows: Rows) -> None:
        header = rows[0]
        for (row, column), text in changes.items():
            rows[row - 1][header.index(column)] = text

    return edited(path, edit)


def questionnaire(answers: Mapping[str, Mapping[tuple[str, str], object]]) -> Callable[[], bytes]:
    """An expert's filled workbook for System A (suanli.index.panel)."""

    def build() -> bytes:
        import tempfile

        from suanli.index.panel.responses import fill_questionnaire
        from suanli.index.panel.workbook import write_questionnaire
        from suanli.index.systems import load_systems
        from suanli.settings import index_systems_dir

        system = next(
            s for s in load_systems(index_systems_dir()) if s.system_code == "comprehensive_v4"
        )
        with tempfile.TemporaryDirectory() as folder:
            blank = write_questionnaire(system, Path(folder) / "blank.xlsx", "E01")
            filled = fill_questionnaire(blank, Path(folder) / "filled.xlsx", answers, "专家甲")
            return filled.read_bytes()

    return build


def statistics_table(name: str, edit: Callable[[Rows], Rows | None]) -> Callable[[], bytes]:
    """A bundled NBS 分省年度数据 export (GBK, CRLF, title rows, footnotes) with `edit` applied;
    its rows: 0 数据库, 1 指标, 2 时间, 3 the header (地区, 2024年, …), 4-34 the provinces."""

    def build() -> bytes:
        rows = read_rows(bundled(f"provincial_statistics/{name}"), "gb18030")
        return write_rows(edit(rows) or rows, "gb18030", "\r\n")

    return build


def scaled(factor: float) -> Callable[[Rows], None]:
    """Every value of a statistics table multiplied by `factor` (its labels unchanged)."""

    def edit(rows: Rows) -> None:
        for row in rows[4:35]:
            row[1:] = [f"{float(value) * factor:.0f}" for value in row[1:]]

    return edit


def statistics_cell(row: int, column: int, text: str) -> Callable[[Rows], None]:
    """One cell of a statistics table changed: spreadsheet row, column index (0 = 地区)."""

    def edit(rows: Rows) -> None:
        rows[row - 1][column] = text

    return edit


def gdp_panel(codes: Mapping[str, str]) -> Callable[[], bytes]:
    """An NBS 多年期面板数据 file (UTF-8 with BOM) of the bundled 2024 GDP: 省辖市代码, 省份,
    年份, 地区生产总值 (亿元), each province with its 12-digit code unless `codes` says another."""

    def build() -> bytes:
        provinces = read_rows((SEEDS_DIR / "reference" / "provinces.csv").read_bytes())
        code_of = {row[1]: f"{row[0]}000000" for row in provinces[1:]}
        table = read_rows(bundled("provincial_statistics/gdp_synthetic.csv"), "gb18030")
        body = [
            [codes.get(name, code_of[name]), name, "2024", gdp_2024]
            for name, gdp_2024, *_ in table[4:35]
        ]
        header = ["省辖市代码", "省份", "年份", "地区生产总值 (亿元)"]
        return b"\xef\xbb\xbf" + write_rows([header, *body], line_end="\r\n")

    return build


# ----------------------------------------------------------------------------- the corpus

CENTRES_2022 = "compute_centres/compute_centres_2022.csv"
CENTRES_2023 = "compute_centres/compute_centres_2023.csv"
CENTRES_2024 = "compute_centres/compute_centres_2024.csv"
CENTRES_2025 = "compute_centres/compute_centres_2025.csv"
SHIPMENTS = "server_shipments/server_shipments_{year}.csv"
NETWORK = "network_stats/network_stats_{year}.csv"
ENVIRONMENT = "environment_market/environment_market_{year}.csv"


def _swap_energy(rows: Rows) -> None:
    """Row 2's total and IT energy swapped: the centre uses less energy than its IT."""
    header = rows[0]
    total, it = header.index("total_energy_mwh"), header.index("it_energy_mwh")
    rows[1][total], rows[1][it] = rows[1][it], rows[1][total]


def _co2_in_kg(rows: Rows) -> None:
    """Row 2's CO2 in kilograms under the tonnes header."""
    column = rows[0].index("co2_tonnes")
    rows[1][column] = f"{float(rows[1][column]) * 1000:.0f}"


def _repeat_centre_id(rows: Rows) -> None:
    """Row 5 pasted over with row 4's centre_id."""
    column = rows[0].index("centre_id")
    rows[4][column] = rows[3][column]


def _without(province: str) -> Callable[[Rows], Rows]:
    return lambda rows: [row for row in rows if row[0] != province]


def _row_repeated(row: int) -> Callable[[Rows], Rows]:
    """Row `row` (spreadsheet numbering) pasted again after the last row."""
    return lambda rows: [*rows, rows[row - 1]]


def _row_repeated_at(row: int) -> Callable[[Rows], Rows]:
    """Row `row` (spreadsheet numbering) pasted again right under itself."""
    return lambda rows: [*rows[:row], rows[row - 1], *rows[row:]]


def _rename_column(old: str, new: str) -> Callable[[Rows], None]:
    def edit(rows: Rows) -> None:
        rows[0][rows[0].index(old)] = new

    return edit


def _drop_column(name: str) -> Callable[[Rows], Rows]:
    def edit(rows: Rows) -> Rows:
        index = rows[0].index(name)
        return [row[:index] + row[index + 1 :] for row in rows]

    return edit


def _with_notes_column(rows: Rows) -> Rows:
    return [[*rows[0], "notes"], *([*row, ""] for row in rows[1:])]


def _semicolons() -> bytes:
    text = bundled(SHIPMENTS.format(year=2024)).decode("utf-8")
    return text.replace(",", ";").encode("utf-8")


def _bom_then_gbk() -> bytes:
    """Saved as UTF-8 with a BOM, then rows appended by a tool writing GBK."""
    header, body = bundled(SHIPMENTS.format(year=2025)).decode("utf-8").split("\n", 1)
    return b"\xef\xbb\xbf" + f"{header}\n".encode() + body.encode("gb18030")


def _unquoted_comma(rows: Rows) -> None:
    """Row 5's organisation holds a comma nobody quoted (`…创新中心,清华大学`): a field too many."""
    rows[4][2:3] = [rows[4][2], "清华大学"]


def _cut_off() -> bytes:
    """A download that stopped two fields into the last row."""
    lines = bundled("compute_services/compute_services.csv").rstrip(b"\n").split(b"\n")
    return b"\n".join([*lines[:-1], b",".join(lines[-1].split(b",")[:2])])


def _long_cell(rows: Rows) -> None:
    column = rows[0].index("provenance_source")
    rows[3][column] = "据" + "平台年度调查问卷汇总，" * 27  # 298 characters


def _header_only(path: str) -> Callable[[], bytes]:
    return lambda: bundled(path).split(b"\n", 1)[0] + b"\n"


# An off-scale answer at 算力, and at 算力质效 a consistent 4 : 2 : 1 : 2 but for PUE vs CUE.
INCONSISTENT_ANSWERS = {
    "compute": {("compute_scale", "compute_quality"): "2.5"},
    "compute_quality": {
        ("rack_utilisation", "pue"): "2", ("rack_utilisation", "cue"): "4",
        ("rack_utilisation", "compute_revenue"): "2", ("pue", "cue"): "1/9",
        ("pue", "compute_revenue"): "1", ("cue", "compute_revenue"): "1/2",
    },
}  # fmt: skip

CORPUS: list[BadDelivery] = [
    # ---- compute_centres: one file per index year
    BadDelivery(
        "centres_fractional_racks_city_elsewhere_and_a_tick_for_a_flag",
        "compute_centres",
        CENTRES_2022,
        cells(
            CENTRES_2022,
            {
                (3, "racks_in_use"): "12.5",
                (519, "city"): "张家口市",
                (519, "backbone_connected"): "√",
            },
        ),
        (
            (
                'compute_centres_2022.csv: row 3, column "racks_in_use": value "12.5" — '
                "expected a whole number ≥ 0 (not a whole number)"
            ),
            (
                'compute_centres_2022.csv: row 519, column "city": value "张家口市" — '
                "expected a prefecture-level city of 山西省 (张家口市 is in 河北省) (unknown "
                "region)"
            ),
            (
                'compute_centres_2022.csv: row 519, column "backbone_connected": value "√" — '
                "expected Y or N (not a flag)"
            ),
        ),
    ),
    BadDelivery(
        "centres_total_energy_below_it_energy",
        "compute_centres",
        CENTRES_2023,
        edited(CENTRES_2023, _swap_energy),
        (
            (
                'compute_centres_2023.csv: row 2, column "total_energy_mwh": value "19287.8" '
                "— expected PUE = total_energy_mwh ÷ it_energy_mwh within [1.0, 3.0], found 0.69 "
                "(out of range)"
            ),
        ),
    ),
    BadDelivery(
        "centres_co2_in_kilograms",
        "compute_centres",
        CENTRES_2024,
        edited(CENTRES_2024, _co2_in_kg),
        (
            (
                'compute_centres_2024.csv: row 2, column "co2_tonnes": value "14151100" — '
                "expected CUE = co2_tonnes ÷ it_energy_mwh within [0, 3.0], found 830.72 (out of "
                "range)"
            ),
        ),
    ),
    BadDelivery(
        "centres_centre_id_twice",
        "compute_centres",
        CENTRES_2025,
        edited(CENTRES_2025, _repeat_centre_id),
        (
            (
                'compute_centres_2025.csv: row 5, column "centre_id": value "DC-110000-0003" '
                "— expected each centre_id once (DC-110000-0003 is already in row 4) (duplicate "
                "key)"
            ),
        ),
    ),
    # ---- network_stats
    BadDelivery(
        "network_percentage_over_100",
        "network_stats",
        NETWORK.format(year=2022),
        cells(NETWORK.format(year=2022), {(2, "otn_coverage_pct"): "120"}),
        (
            (
                'network_stats_2022.csv: row 2, column "otn_coverage_pct": value "120" — '
                "expected a percentage from 0 to 100 (out of range)"
            ),
        ),
    ),
    BadDelivery(
        "network_row_of_another_year",
        "network_stats",
        NETWORK.format(year=2023),
        cells(NETWORK.format(year=2023), {(5, "year"): "2022"}),
        (
            (
                'network_stats_2023.csv: row 5, column "year": value "2022" — expected 2023, '
                "the year this delivery is for (year out of range)"
            ),
        ),
    ),
    BadDelivery(
        "network_province_missing",
        "network_stats",
        NETWORK.format(year=2024),
        edited(NETWORK.format(year=2024), _without("西藏")),
        (
            (
                'network_stats_2024.csv: column "province" — expected a row for 西藏自治区 '
                "(540000) in 2024 (missing region)"
            ),
        ),
    ),
    BadDelivery(
        "network_unknown_province",
        "network_stats",
        NETWORK.format(year=2025),
        cells(NETWORK.format(year=2025), {(2, "province"): "北平"}),
        (
            (
                'network_stats_2025.csv: row 2, column "province": value "北平" — expected a '
                "province name or GB/T 2260 code (unknown region)"
            ),
        ),
    ),
    # ---- environment_market
    BadDelivery(
        "environment_province_twice",
        "environment_market",
        ENVIRONMENT.format(year=2022),
        edited(ENVIRONMENT.format(year=2022), _row_repeated(4)),
        (
            (
                'environment_market_2022.csv: row 33, column "province": value "河北省" — '
                "expected each province once per year (河北省 is already in row 4) (duplicate "
                "region)"
            ),
        ),
    ),
    BadDelivery(
        "environment_header_only",
        "environment_market",
        ENVIRONMENT.format(year=2023),
        _header_only(ENVIRONMENT.format(year=2023)),
        (
            (
                "environment_market_2023.csv: row 2 — expected data rows after the header (empty "
                "file)"
            ),
        ),
    ),
    BadDelivery(
        "environment_column_missing",
        "environment_market",
        ENVIRONMENT.format(year=2024),
        edited(ENVIRONMENT.format(year=2024), _drop_column("honours")),
        (
            (
                'environment_market_2024.csv: row 1, column "honours" — expected the columns of '
                "source 'environment_market', in order: province, year, "
                "annual_mean_temperature_c, policy_documents, leading_firms_present, "
                "leading_firms_total, llm_enterprises, graduates_wan, industry_events, honours, "
                "provenance, provenance_source (column missing) (schema change)"
            ),
        ),
    ),
    BadDelivery(
        "environment_extra_column",
        "environment_market",
        ENVIRONMENT.format(year=2025),
        edited(ENVIRONMENT.format(year=2025), _with_notes_column),
        (
            (
                'environment_market_2025.csv: row 1, column "notes": value "notes" — expected '
                "the columns of source 'environment_market', in order: province, year, "
                "annual_mean_temperature_c, policy_documents, leading_firms_present, "
                "leading_firms_total, llm_enterprises, graduates_wan, industry_events, honours, "
                "provenance, provenance_source (column not declared) (schema change)"
            ),
        ),
    ),
    # ---- server_shipments: one file per shipment year, 2016-2025
    BadDelivery(
        "shipments_thousands_separators_in_a_fraction",
        "server_shipments",
        SHIPMENTS.format(year=2016),
        cells(SHIPMENTS.format(year=2016), {(2, "units"): "627,912.5"}),
        (
            (
                'server_shipments_2016.csv: row 2, column "units": value "627,912.5" — '
                "expected a whole number ≥ 0 (not a whole number)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_negative_count",
        "server_shipments",
        SHIPMENTS.format(year=2017),
        cells(SHIPMENTS.format(year=2017), {(3, "units"): "-75242"}),
        (
            (
                'server_shipments_2017.csv: row 3, column "units": value "-75242" — expected '
                "a whole number ≥ 0 (negative count)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_not_a_number",
        "server_shipments",
        SHIPMENTS.format(year=2018),
        cells(SHIPMENTS.format(year=2018), {(4, "units"): "约3万"}),
        (
            (
                'server_shipments_2018.csv: row 4, column "units": value "约3万" — expected a '
                "whole number ≥ 0 (not a number)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_full_width_garbage",
        "server_shipments",
        SHIPMENTS.format(year=2019),
        cells(SHIPMENTS.format(year=2019), {(5, "units"): "＃ＶＡＬＵＥ！"}),
        (
            (
                'server_shipments_2019.csv: row 5, column "units": value "＃ＶＡＬＵＥ！" — '
                "expected a whole number ≥ 0 (not a number)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_server_type_not_allowed",
        "server_shipments",
        SHIPMENTS.format(year=2020),
        cells(SHIPMENTS.format(year=2020), {(6, "server_type"): "storage"}),
        (
            (
                'server_shipments_2020.csv: row 6, column "server_type": value "storage" — '
                "expected one of general, ai (not allowed)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_required_cell_empty",
        "server_shipments",
        SHIPMENTS.format(year=2021),
        cells(SHIPMENTS.format(year=2021), {(7, "units"): ""}),
        (
            (
                'server_shipments_2021.csv: row 7, column "units": value "" — expected a '
                "whole number ≥ 0; this column may not be empty (missing value)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_no_data_marker_in_a_required_column",
        "server_shipments",
        SHIPMENTS.format(year=2022),
        cells(SHIPMENTS.format(year=2022), {(8, "units"): "—"}),
        (
            (
                'server_shipments_2022.csv: row 8, column "units": value "—" — expected a '
                "whole number ≥ 0; this column may not be empty (missing value)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_column_renamed",
        "server_shipments",
        SHIPMENTS.format(year=2023),
        edited(SHIPMENTS.format(year=2023), _rename_column("units", "shipments")),
        (
            (
                'server_shipments_2023.csv: row 1, column "units" — expected the columns of '
                "source 'server_shipments', in order: province, year, server_type, units, "
                "cpu_sockets, fp32_ops_per_cycle, clock_ghz, cores_per_cpu, mean_compute_tflops, "
                "provenance, provenance_source (column missing) (schema change)"
            ),
            (
                'server_shipments_2023.csv: row 1, column "shipments": value "shipments" — '
                "expected the columns of source 'server_shipments', in order: province, year, "
                "server_type, units, cpu_sockets, fp32_ops_per_cycle, clock_ghz, cores_per_cpu, "
                "mean_compute_tflops, provenance, provenance_source (column not declared) (schema "
                "change)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_separated_by_semicolons",
        "server_shipments",
        SHIPMENTS.format(year=2024),
        _semicolons,
        (
            (
                "server_shipments_2024.csv: row 1: value "
                '"province;year;server_type;units;cpu_sockets;fp32_ops_per_cycle;'
                'clock_ghz;cores_p…" '
                "— expected fields separated by commas (,); this file separates them with "
                "semicolons (';'): save it as CSV with commas (wrong delimiter)"
            ),
        ),
    ),
    BadDelivery(
        "shipments_utf8_bom_then_gbk",
        "server_shipments",
        SHIPMENTS.format(year=2025),
        _bom_then_gbk,
        (
            (
                "server_shipments_2025.csv: line 2 — expected one encoding for the whole file: it "
                "starts with a UTF-8 byte-order mark, but line 2 is not UTF-8 (GBK?); save the "
                "whole file as UTF-8 (mixed encoding)"
            ),
        ),
    ),
    # ---- cumulative lists: one file each
    BadDelivery(
        "patents_patent_id_twice",
        "patents",
        "patents/patents.csv",
        cells("patents/patents.csv", {(3, "patent_id"): "CN202010010742.8"}),
        (
            (
                'patents.csv: row 3, column "patent_id": value "CN202010010742.8" — expected '
                "each patent_id once (CN202010010742.8 is already in row 2) (duplicate key)"
            ),
        ),
    ),
    BadDelivery(
        "genai_services_no_such_date",
        "genai_services",
        "genai_services/genai_services.csv",
        cells("genai_services/genai_services.csv", {(4, "registration_date"): "2023-02-30"}),
        (
            (
                'genai_services.csv: row 4, column "registration_date": value "2023-02-30" — '
                "expected a date such as 2024-05-31 (not a date)"
            ),
        ),
    ),
    BadDelivery(
        "supercomputers_year_out_of_range",
        "supercomputers",
        "supercomputers/supercomputers.csv",
        cells("supercomputers/supercomputers.csv", {(2, "year_listed"): "2106"}),
        (
            (
                'supercomputers.csv: row 2, column "year_listed": value "2106" — expected a '
                "year from 1949 to 2026 (year out of range)"
            ),
        ),
    ),
    BadDelivery(
        "fangsheng_models_utf16",
        "fangsheng_models",
        "fangsheng_models/fangsheng_models.csv",
        lambda: bundled("fangsheng_models/fangsheng_models.csv").decode("utf-8").encode("utf-16"),
        (
            (
                "fangsheng_models.csv — expected text in UTF-8 (with or without BOM) or "
                "GB18030/GBK, not UTF-16 or binary data (unreadable encoding)"
            ),
        ),
    ),
    BadDelivery(
        "application_cases_extra_field",
        "application_cases",
        "application_cases/application_cases.csv",
        edited("application_cases/application_cases.csv", _unquoted_comma),
        (
            (
                'application_cases.csv: row 5, column "(field 8)": value "suanli demo '
                'generator v1" — expected 7 fields (case_id, case_name, organisation, province, '
                "year, provenance, provenance_source); field 8 is extra (extra field)"
            ),
        ),
    ),
    BadDelivery(
        "compute_services_truncated_row",
        "compute_services",
        "compute_services/compute_services.csv",
        _cut_off,
        (
            (
                'compute_services.csv: row 187: value "新疆维吾尔自治区,2022" — expected 9 '
                "fields (province, year, compute_type, datacentre_compute_eflops, "
                "private_compute_eflops, service_ratio_pct, used_compute_eflops, provenance, "
                "provenance_source), found fewer (truncated file)"
            ),
        ),
    ),
    BadDelivery(
        "service_platforms_over_long_cell",
        "service_platforms",
        "service_platforms/service_platforms.csv",
        edited("service_platforms/service_platforms.csv", _long_cell),
        (
            (
                'service_platforms.csv: row 4, column "provenance_source": value "298 '
                'characters" — expected at most 200 characters in a cell (SUANLI_MAX_CELL_CHARS) '
                "(field too long)"
            ),
        ),
        env={"SUANLI_MAX_CELL_CHARS": str(MAX_CELL_CHARS)},
    ),
    BadDelivery(
        "data_openness_empty_file",
        "data_openness",
        "data_openness/data_openness.csv",
        lambda: b"",
        ("data_openness.csv: row 1 — expected a header row (empty file)",),
    ),
    # ---- provincial_statistics: every file its own slot
    BadDelivery(
        "statistics_unknown_unit",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_单位有误.csv",
        statistics_table("gdp_synthetic.csv", statistics_cell(2, 0, "指标：地区生产总值(万台套)")),
        (
            (
                '地区生产总值_单位有误.csv: row 2: value "万台套" — expected a unit of 亿元 for '
                "地区生产总值: 元, 千元, 万元, 百万元, 亿元, 万亿元 (unknown unit)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_wan_yuan_labelled_yi_yuan",
        "provincial_statistics",
        "provincial_statistics/software_revenue_synthetic.csv",
        statistics_table("software_revenue_synthetic.csv", scaled(10_000)),
        (
            (
                'software_revenue_synthetic.csv: row 5, column "2021年": value "229176000" — '
                "expected about 22917.6 亿元 as in the delivery in force (124 of 124 matched "
                'values of software_revenue moved by ×10^4, also row 5 "2022年", row 5 '
                '"2023年", row 5 "2024年", row 6 "2021年", row 6 "2022年" …: 万元 figures '
                "labelled 亿元?) unless the file declares itself a revision (implausible change)"
            ),
        ),
        supersedes=True,
    ),
    BadDelivery(
        "statistics_province_twice",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_重复.csv",
        statistics_table("gdp_synthetic.csv", _row_repeated_at(7)),
        (
            (
                '地区生产总值_重复.csv: row 8, column "地区": value "河北省" — expected each '
                "province once per statistic and year (河北省 is already in row 7) (duplicate "
                "region)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_province_missing",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_缺西藏.csv",
        statistics_table(
            "gdp_synthetic.csv", lambda rows: [row for row in rows if row[0] != "西藏自治区"]
        ),
        (
            (
                '地区生产总值_缺西藏.csv: column "地区" — expected a row for 西藏自治区 '
                "(540000) in 2021–2024 (地区生产总值) (missing region)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_unknown_region",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_北平.csv",
        statistics_table("gdp_synthetic.csv", statistics_cell(5, 0, "北平市")),
        (
            (
                '地区生产总值_北平.csv: row 5, column "地区": value "北平市" — expected a '
                "province name or GB/T 2260 code (unknown region)"
            ),
            (
                '地区生产总值_北平.csv: column "地区" — expected a row for 北京市 (110000) in '
                "2021–2024 (地区生产总值) (missing region)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_code_of_another_province",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_面板数据.csv",
        gdp_panel({"北京市": "130000000000"}),
        (
            (
                '地区生产总值_面板数据.csv: row 2, column "省辖市代码": value "130000000000" '
                '— expected 110000 (110000000000), the code of 北京市 in column "省份" '
                "(ambiguous region)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_unknown_statistic",
        "provincial_statistics",
        "provincial_statistics/数据中心机架数.csv",
        statistics_table("gdp_synthetic.csv", statistics_cell(2, 0, "指标：数据中心机架数(万架)")),
        (
            (
                '数据中心机架数.csv: row 2: value "数据中心机架数" — expected a statistic named '
                "in seeds/reference/statistics.csv or statistic_aliases.csv (unknown statistic)"
            ),
            (
                '数据中心机架数.csv: row 2: value "万架" — expected a unit listed in '
                "seeds/reference/units.csv (unknown unit)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_value_with_a_footnote_mark",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_带注.csv",
        statistics_table("gdp_synthetic.csv", statistics_cell(9, 1, "13863.9*")),
        (
            (
                '地区生产总值_带注.csv: row 9, column "2024年": value "13863.9*" — expected a '
                "number (thousands separators allowed) or a no-data marker (empty, —, –, -, …, "
                "..., －, /, NA, 无数据) (not a number)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_negative_amount",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_负值.csv",
        statistics_table("gdp_synthetic.csv", statistics_cell(10, 2, "-26141.9")),
        (
            (
                '地区生产总值_负值.csv: row 10, column "2023年": value "-26141.9" — expected '
                "a number ≥ 0 (地区生产总值 is a count or amount) (negative count)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_year_outside_the_declared_range",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_2025.csv",
        statistics_table("gdp_synthetic.csv", statistics_cell(4, 1, "2025年")),
        (
            (
                '地区生产总值_2025.csv: row 4, column "2025年": value "2025年" — expected a '
                "year within 2021–2024 as the file declares in row 3 (时间：2021-2024) (year out "
                "of range)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_region_column_renamed",
        "provincial_statistics",
        "provincial_statistics/地区生产总值_省份.csv",
        statistics_table("gdp_synthetic.csv", statistics_cell(4, 0, "省份")),
        (
            (
                '地区生产总值_省份.csv: row 4, column "省份" — expected the first column '
                '"地区" (NBS 分省年度数据 layout) (schema change)'
            ),
        ),
    ),
    BadDelivery(
        "questionnaire_off_scale_and_inconsistent",
        "expert_judgements",
        "expert_judgements/comprehensive_v4__E01.xlsx",
        questionnaire(INCONSISTENT_ANSWERS),
        (
            (
                'comprehensive_v4__E01.xlsx: row 6, column "02 算力!答案 Answer": value "2.5" '
                "— expected one of Saaty's scale: 9, 8, … 2, 1, 1/2, … 1/9 (or a decimal such "
                "as 0.33 for 1/3) (off scale)"
            ),
            (
                'comprehensive_v4__E01.xlsx: row 9, column "04 算力质效!答案 Answer": value '
                '"1/9" — expected consistent judgements at node compute_quality (算力质效): '
                "expert E01's CR is 0.44, not below 0.10; PUE vs CUE: you wrote 1/9; 1/2 gives "
                "CR 0.09 (inconsistent judgements)"
            ),
        ),
    ),
    BadDelivery(
        "telemetry_duplicated_hour_meter_reset_negative_reading",
        "centre_energy",
        TELEMETRY_MARCH,
        _bad_march,
        (
            (
                'centre_energy_2025-03.parquet: row 1, column "clean_kwh": value "-3.0" — '
                "expected a reading ≥ 0: a register is never negative (out of range)"
            ),
            (
                'centre_energy_2025-03.parquet: row 101, column "it_kwh": value "12.5" — '
                "expected a register never lower than the centre's previous reading, "
                "30247828.2 (row 100); a meter reset or replacement is sent with the register "
                "carried on (meter reset)"
            ),
            (
                'centre_energy_2025-03.parquet: row 2233, column "centre_id, reading_hour": '
                'value "DC-110000-0001 at 2025-03-01 09:00" — expected one reading per centre '
                "and hour: row 10 has the same (duplicate key)"
            ),
        ),
    ),
    BadDelivery(
        "statistics_empty_file",
        "provincial_statistics",
        "provincial_statistics/软件业务收入_空.csv",
        lambda: b"",
        ("软件业务收入_空.csv — expected a header row and data rows (empty file)",),
    ),
]
