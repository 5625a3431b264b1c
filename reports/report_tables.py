"""The JSON reports as tables for CSV/XLSX export (pure: report values in, columns and rows out).

Headers are bilingual, "人工接通率 answer_rate": the Chinese term is the one each definition gives in
parentheses (the reports' convention; the last such parenthesis), or one from :data:`TERMS` for fields that
have no definition of their own.
A report of single figures (the summary, the IVR) becomes one row per figure with its definition beside it, so
the file says what each number means, as the screen does."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any

from reports.agents import AgentRow
from reports.export import Column
from reports.metrics import DEFINITIONS as METRIC_DEFINITIONS
from reports.metrics import ROW_DEFINITIONS, Figures

if TYPE_CHECKING:
    from reports.metrics_query import MetricsRow

TERMS: dict[str, str] = {
    "start": "时段开始",
    "service_level": "服务水平",
    "asa_seconds": "平均应答速度(秒)",
    "abandon_probability": "放弃概率",
    "figure": "指标",
    "value": "数值",
    "definition": "定义",
    "period": "时段",
    "period_start": "时段开始",
    "key": "分组",
}
_CJK_TERM = re.compile(r"\(([^()]*[\u2e80-\u9fff][^()]*)\)")

FIGURE_COLUMNS = (Column("figure", "指标 figure"), Column("value", "数值 value"),
                  Column("definition", "定义 definition"))


def term(key: str, definitions: Mapping[str, str]) -> str | None:
    """The Chinese term of ``key``: the last parenthesis of its definition holding Chinese, else :data:`TERMS`."""
    found = _CJK_TERM.findall(definitions.get(key, ""))
    return found[-1] if found else TERMS.get(key)


def bilingual(key: str, definitions: Mapping[str, str]) -> str:
    zh = term(key, definitions)
    return f"{zh} {key}" if zh else key


def figure_rows(figures: Mapping[str, Any], definitions: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per figure (rows for :data:`FIGURE_COLUMNS`); a figure that counts by key (such as where callers
    left the IVR) gives one row per key, "left_at main>bill"."""
    rows: list[dict[str, Any]] = []
    for key, value in figures.items():
        definition = definitions.get(key, "")
        if isinstance(value, Mapping):
            rows.extend({"figure": f"{bilingual(key, definitions)} {sub}", "value": count, "definition": definition}
                        for sub, count in sorted(value.items()))
        else:
            rows.append({"figure": bilingual(key, definitions), "value": value, "definition": definition})
    return rows


def record_table(records: Sequence[Any], definitions: Mapping[str, str],
                 record_type: type | None = None) -> tuple[list[Column], list[dict[str, Any]]]:
    """Dataclass records (such as the staffing advice's intervals) as a table, one column per field."""
    kind = record_type or (type(records[0]) if records else None)
    if kind is None or not is_dataclass(kind):
        raise ValueError("record_table needs dataclass records or their type")
    columns = [Column(f.name, bilingual(f.name, definitions)) for f in fields(kind)]
    return columns, [vars(r) for r in records]


def metrics_table(rows: Sequence[MetricsRow]) -> tuple[list[Column], list[dict[str, Any]]]:
    """The metrics report as a table: one row per period and group key, one column per figure."""
    definitions = {**METRIC_DEFINITIONS, **ROW_DEFINITIONS}
    columns = [Column(name, bilingual(name, definitions)) for name in ("period", "period_start", "key")]
    columns += [Column(f.name, bilingual(f.name, definitions)) for f in fields(Figures)]
    return columns, [{"period": r.period, "period_start": r.period_start, "key": r.key, **vars(r.figures)}
                     for r in rows]


def agent_table(rows: Sequence[AgentRow], definitions: Mapping[str, str],
                states: Sequence[str]) -> tuple[list[Column], list[dict[str, Any]]]:
    """The agent report as a table: one row per agent, the seconds in each of ``states`` as columns of their
    own ("seconds_ready", ...), then every other figure."""
    names = [f.name for f in fields(AgentRow)]
    columns = [Column(n, bilingual(n, definitions)) for n in names[:2]]
    columns += [Column(f"seconds_{state}", f"{state} 秒 seconds_{state}") for state in states]
    columns += [Column(n, bilingual(n, definitions)) for n in names[2:] if n != "seconds_by_state"]
    table = [{**vars(r), **{f"seconds_{state}": r.seconds_by_state.get(state, 0.0) for state in states}}
             for r in rows]
    return columns, table
