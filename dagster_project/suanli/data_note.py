"""What the outputs say about the data they show, in one wording: the report's page and the
workbook's 说明 About sheet both quote these (the workbook adds the English beside)."""

# The bundled snapshot is a demonstration: readers must not take its figures for statistics.
DATA_NOTE_PAGE = (
    "数据说明：随附数据快照仅作演示，不是官方统计。除蓝皮书等已公开发布的数字（provenance = "
    "published）外，数值均为确定性生成的合成数据（synthetic）或由其推算（derived）。"
)
DATA_NOTE_PAGE_EN = (
    "Data note: the bundled data snapshot is a demonstration, not official statistics. Apart "
    "from figures already published, as in the blue books (provenance = published), the values "
    "are deterministic synthetic data (synthetic) or derived from them (derived)."
)

# The `provenance` labels of the marts' values (fct_indicator_values.provenance): label →
# (中文, English) meaning.
PROVENANCE_MEANINGS: dict[str, tuple[str, str]] = {
    "published": (
        "公开发布：等于 source 所引报告中的数字",
        "Published: equals a figure of the report named in `source`.",
    ),
    "derived": (
        "推算：由非合成数据计算得出",
        "Derived: computed from inputs that are not synthetic.",
    ),
    "synthetic": (
        "合成：确定性生成的演示数据",
        "Synthetic: demonstration data, generated deterministically.",
    ),
    "imputed": (
        "插补：缺失值按指数体系的 missing.impute 规则填补（规则见 value_flag）",
        "Imputed: a missing value filled by the index system's missing.impute rule "
        "(named in value_flag).",
    ),
}
