"""Reading a sweep folder into a `Sweep`: results.parquet (a row per run), timeseries.parquet
(every run's firm rows per month) and the jobs' overrides. Only the columns the report needs
are read, and the industry columns (the same on every firm's row) from one hyperscaler's
rows. A folder the report cannot use raises ReportError. No matplotlib here."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import yaml

from ..config import CONFIG_DIR
from ..params import PolicyParams

NOT_PARAMETERS = ("seed", "replicates", "workers", "scenario", "experiment")
# The config groups' default options (configs/config.yaml), e.g. policy/lab: racing.
DEFAULT_CHOICES = {k: v for item in yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "configs" / "config.yaml").read_text())["defaults"]
    if isinstance(item, dict) for k, v in item.items()}
# ... and the default policies' classes, for sweeps that name them by `_target_`.
DEFAULT_CHOICES |= {f"policy.{k}._target_": v["_target_"].rpartition(".")[2]
                    for k, v in dataclasses.asdict(PolicyParams()).items()}
LAB_COLS = ["run", "month", "firm", "capability", "market_share", "alive"]
INDUSTRY_COLS = ["industry_hhi_revenue", "industry_hhi_ownership", "industry_roundtrip_cum_usd",
                 "industry_strategic_invested_cum_usd", "industry_independent_labs_alive",
                 "industry_cloud_ai_profit_usd", "industry_lab_profit_usd"]
ROSTER_COLS = ["industry_entrants", "industry_lab_exits"]  # sweeps since entry (issue #7)
# The markets of issue #17 (sweeps since then): models' price, the chip vendor, power, the
# other clouds.
MARKET_COLS = ["industry_price_index", "industry_chip_vendor_revenue_usd",
               "industry_chip_vendor_margin", "industry_power_used_gw",
               "industry_power_available_gw", "industry_other_clouds_revenue_usd"]


def scenario_notes(scenarios, folder: Path = CONFIG_DIR / "scenario") -> pd.DataFrame:
    """Each scenario's file's leading comment: the claims it cites (A1, A13, ...) and its
    first sentence. A scenario without a file here (a --config-dir of its own) or without a
    comment says so. `scenarios` may be points ("baseline, lab=profit"): their scenario."""
    rows = []
    for name in dict.fromkeys(str(x).split(", ")[0] for x in scenarios):
        f = folder / f"{name}.yaml"
        lines = f.read_text().splitlines() if f.exists() else []
        head = []
        for line in lines:
            if not line.startswith("#"):
                break
            if not line.startswith("# @package"):
                head.append(line.lstrip("# ").strip())
        text = " ".join(head)
        claims = sorted(set(re.findall(r"\bA(\d+)\b", text)), key=int)
        first = re.split(r"(?<=[.?!])\s+(?=[A-Z])", text, maxsplit=1)[0]
        rows.append({"scenario": name, "claims": ", ".join(f"A{c}" for c in claims),
                     "description": first or (f"(no comment at the top of {f.name})"
                                              if f.exists() else f"(no {f.name} in {folder})")})
    return pd.DataFrame(rows, columns=["scenario", "claims", "description"])


def short_key(key: str) -> str:
    """A swept choice's name in labels: policy/lab and policy.lab._target_ -> lab."""
    parts = key.removesuffix("._target_").replace("/", ".").split(".")
    return parts[-1]


class ReportError(Exception):
    """A folder the report cannot use; main() prints it as one line and exits with 2."""


@dataclass
class Sweep:
    dir: Path
    results: pd.DataFrame      # every run, failed ones included
    ok: pd.DataFrame           # runs without error, plus outcome columns
    labs: pd.DataFrame         # labs' monthly rows, plus scenario
    industry: pd.DataFrame     # one row per run and month: industry_ columns, cumulative profits
    dates: pd.Series           # month -> date
    scenarios: list[str]       # baseline first
    swept: list[str]           # numeric override keys that vary across jobs
    choices: dict[str, list[str]]  # choices swept as words (policies), with their values
    overrides: dict[int, list[str]]
    hyperscalers: list[str]
    horizon: str               # when the summary's leader is taken: "the start of 2034 ..."


def load(sweep_dir: Path) -> Sweep:
    if not (sweep_dir / "results.parquet").exists():
        raise ReportError(f"{sweep_dir} has no results.parquet (not a finished sweep folder?)")
    if not (sweep_dir / "timeseries.parquet").exists():  # a folder of files
        raise ReportError(f"{sweep_dir} has no timeseries.parquet (a sweep run with "
                          "timeseries=false keeps summaries only: rerun without it)")
    results = pd.read_parquet(sweep_dir / "results.parquet")
    ok = results[results["error"].isna()].copy() if "error" in results else results.copy()
    if ok.empty:
        raise ReportError(f"{sweep_dir}: none of its {len(results)} runs succeeded")
    ts = sweep_dir / "timeseries.parquet"
    labs = pd.read_parquet(ts, columns=LAB_COLS, filters=[("kind", "!=", "hyperscaler")],
                           read_dictionary=["run", "firm"])
    have = set(pq.ParquetDataset(ts).schema.names)
    roster = [c for c in [*ROSTER_COLS, *MARKET_COLS] if c in have]
    industry = pd.read_parquet(ts, columns=["run", "month", "date", "firm", *INDUSTRY_COLS,
                                            *roster],
                               filters=[("kind", "==", "hyperscaler")], read_dictionary=["run"])
    hyperscalers = sorted(industry.firm.unique())
    industry = industry[industry.firm == hyperscalers[0]].drop(columns="firm")
    dates = industry.drop_duplicates("month").set_index("month").date.sort_index()
    overrides = {}
    for job in sorted(results.job.unique()):
        f = sweep_dir / str(job) / ".hydra" / "overrides.yaml"
        overrides[int(job)] = (yaml.safe_load(f.read_text()) or []) if f.exists() else []
    keys = {line.lstrip("+~").partition("=")[0] for lines in overrides.values() for line in lines}
    keys = keys or {c for c in results.columns if "." in c or "/" in c}  # job folders gone
    # Choices swept as words (a policy: policy/lab=racing,profit) are points to compare as
    # scenarios are: they join the scenario's label ("baseline, policy/lab=profit"). The
    # points with the default choices come first (the reference).
    changed = pd.Series(0, index=ok.index)
    choices = {}
    for key in sorted(keys):
        if key in ok and key not in NOT_PARAMETERS and ok[key].nunique() > 1 \
                and not pd.api.types.is_numeric_dtype(ok[key]):
            value = ok[key].astype(str)
            if key.endswith("_target_"):  # a class by its module path: its name says enough
                value = value.str.rpartition(".")[2]
            ok["scenario"] = ok.scenario + ", " + short_key(key) + "=" + value
            choices[short_key(key)] = sorted(value.unique(),
                                             key=lambda v: (v != DEFAULT_CHOICES.get(key), v))
            changed += value != str(DEFAULT_CHOICES.get(key))
    scenario_of = ok.set_index("run").scenario
    labs["scenario"] = labs.run.map(scenario_of)
    industry["scenario"] = industry.run.map(scenario_of)
    labs = labs.dropna(subset=["scenario"])
    industry = industry.dropna(subset=["scenario"]).sort_values(["run", "month"])
    for col in ("cloud_ai_profit_usd", "lab_profit_usd"):
        industry[f"{col}_cum"] = industry.groupby("run", observed=True)[f"industry_{col}"].cumsum()
    ok["lab_leads"] = ok.leader_kind == "independent_lab"
    ok["hyperscaler_owned_leads"] = ok.leader_owner.isin(hyperscalers)
    ok["inhouse_leads"] = ok.leader_kind == "inhouse_lab"
    swept = [k for k in sorted(keys) if k in ok and k not in NOT_PARAMETERS
             and pd.api.types.is_numeric_dtype(ok[k]) and ok[k].nunique() > 1]
    after = dates.iloc[-1] + pd.DateOffset(months=1)
    horizon = f"the start of {after.year}" if after.month == 1 else f"{dates.iloc[-1]:%Y-%m}"
    rank = dict(zip(ok.scenario, changed))
    scenarios = sorted(ok.scenario.unique(),
                       key=lambda s: (not s.startswith("baseline"), rank[s], s))
    return Sweep(sweep_dir, results, ok, labs, industry, dates, scenarios, swept, choices,
                 overrides,
                 hyperscalers, f"{horizon} (the horizon)")
