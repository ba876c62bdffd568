"""Month-by-month record of a run in preallocated numpy arrays, turned into the `firms` and
`industry` tables once at the end (cheaper than a DataCollector with agent reporters). The
recorder is the model's `datacollector`: it speaks Mesa's DataCollector interface
(`collect`, `get_model_vars_dataframe`, `get_agent_vars_dataframe`, and what
`mesa.batch_run` reads), over the same arrays."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import roster, value
from .markets import compute as compute_market
from .mechanisms.finance import CHIP_VENDORS, COST_TAGS, OTHER_CLOUDS, REVENUE_TAGS, flow_total
from .roster import START_DATE, Kind
KIND_LABEL = {k: k.value for k in Kind}  # as plain text (a dict lookup: no enum property)
INTERNAL_COMPUTE = ("self_compute", "self_inference")
SERVING = ("inference", "self_inference", "revenue_share")

FIRM_FIELDS = (
    "cash_usd", "revenue_usd", "cost_usd", "profit_usd", "train_flop", "capability",
    "market_share", "valuation_usd", "alive", "researchers", "talent_multiplier",
    "run_flop", "compute_bought_flop", "raised_usd", "make_weight",
    "capacity_flop_per_month", "utilisation", "price_usd_per_flop", "cloud_ai_share",
    "cloud_share", "largest_stake", "capex_usd",
)
INDUSTRY_FIELDS = (
    "frontier_flop", "frontier_capability", "hhi_revenue", "hhi_ownership",
    "cloud_share_of_ai_spend", "roundtrip_usd", "roundtrip_cum_usd",
    "strategic_invested_cum_usd", "ai_spend_usd", "compute_sold_flop", "compute_bought_flop",
    "compute_unserved_flop", "market_price_usd_per_flop", "cloud_ai_profit_usd",
    "lab_profit_usd", "labs_alive", "independent_labs_alive", "lab_exits", "entrants",
    "other_clouds_ai_revenue_usd", "us_capital_left_usd", "cash_total_usd",
    "net_outside_flow_usd", "investor_pools_usd", "valuation_multiple", "vendor_credit_usd",
    # issue #17 items 2-3: other clouds and power
    "other_clouds_revenue_usd", "other_clouds_capacity_flop_per_month",
    "other_clouds_price_usd_per_flop", "power_used_gw", "power_available_gw",
)

# The chip vendor (sim/markets/chips.py): revenue, gross margin, price over list price.
INDUSTRY_FIELDS += ("chip_vendor_revenue_usd", "chip_vendor_margin", "chip_price_multiple")
# The clouds' full cost of a FLOP before markup (the amortized cost of Cottier et al. 2024).
INDUSTRY_FIELDS += ("compute_cost_usd_per_flop",)
# Prices (issue 17): a lab's price per million tokens of its model; the price of a unit of
# capability served (GPT-4 level, 2024-01 = 1; sim/markets/products.py).
FIRM_FIELDS += ("price_usd",)
INDUSTRY_FIELDS += ("price_index",)
# Labs' model sales this month and their gross margin on them (sales less the compute that
# serves them, over sales): what the labs' price game leaves them.
INDUSTRY_FIELDS += ("lab_sales_usd", "lab_gross_margin")
# The cheap tier's share of a lab's sales (demand.cheap_tier; 0 without one): revenue_usd
# and market_share are both tiers'.
FIRM_FIELDS += ("cheap_tier_share",)

# Value captured by holder and group (sim/value.py).
FIRM_FIELDS += value.FIRM_FIELDS
INDUSTRY_FIELDS += value.INDUSTRY_FIELDS


class Recorder:
    def __init__(self, model):
        self.model = model
        self.recorded = 0  # months recorded so far
        months, n = model.p.horizon_months, len(model.firms)
        self.firm = {k: np.zeros((months, n)) for k in FIRM_FIELDS}
        self.firm["capability"][:] = np.nan  # no model yet (and a slot never founded)
        self.group = np.empty((months, n), dtype=object)
        # Kind and owner per month: an acquired lab turns in-house (entry.enabled).
        self.kind = np.empty((months, n), dtype=object)
        self.owner = np.empty((months, n), dtype=object)
        # The terms in force per month (sim/markets/deals.py): largest holder, exclusive cloud.
        self.holder = np.full((months, n), "", dtype=object)
        self.exclusive = np.full((months, n), "", dtype=object)
        self.industry = {k: np.zeros(months) for k in INDUSTRY_FIELDS}
        self.leader = [""] * months
        self.leader_kind = [""] * months
        shares = roster.home_cloud_shares(model.p.demand.home_cloud_shares)
        self.home_shares = [shares[h.name] for h in model.hyperscalers]
        self.us_capital = next(i for i in model.investors if i.name == roster.US_CAPITAL)
        # Opening balances are not a month's flow: start the books here.
        model.ledger.close_month()
        self.value = value.ValueBooks(model)  # value captured by holder (sim.value)

    def ownership_group(self, lab) -> str:
        """Whom a lab's sales count toward in ownership HHI: its owner; for a partner lab,
        the hyperscaler with exclusivity or a stake above the consolidation threshold."""
        m = self.model
        if lab.inhouse:
            return lab.owner
        if lab.independent and m.p.strategy.partnerships:
            if lab.exclusive_cloud:  # the deal in force this month (sim/markets/deals.py)
                return lab.exclusive_cloud
            stakes = {h: s for h, s in lab.stakes.items() if h in m.by_name}
            if stakes:
                h, s = max(stakes.items(), key=lambda kv: kv[1])
                if s >= m.p.finance.consolidation_stake:
                    return h
        return lab.name

    # ------------------------------------------------------------ Mesa's DataCollector
    def collect(self, model) -> None:
        """Nothing to do: the model records every month itself at the end of `step()` (row
        t is month t; nothing is recorded before the first step). Kept so that the usual
        Mesa line `self.datacollector.collect(self)` after a step is harmless."""

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """The `industry` table of the months recorded so far (a row per month)."""
        return self.frames()[1]

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """The `firms` table of the months recorded so far (a row per firm per month)."""
        return self.frames()[0]

    @property
    def model_vars(self) -> dict[str, list]:
        """Each industry column as a list, item t = month t (what `mesa.batch_run` reads at
        step t)."""
        t = self.recorded
        return {"leader": self.leader[:t], "leader_kind": self.leader_kind[:t],
                **{k: v[:t].tolist() for k, v in self.industry.items()}}

    @property
    def agent_reporters(self) -> dict[str, str]:
        return {"firm": "firm", **{k: k for k in self.firm}}

    @property
    def _agent_records(self) -> Mapping[int, list[tuple]]:
        """Mesa's per-step agent rows, (step, agent id, firm, *FIRM_FIELDS), for the firms
        that exist that month (`mesa.batch_run` reads this), built for the months read."""
        return _AgentRows(self)

    # ------------------------------------------------------------ the month's row
    def record(self, t: int) -> None:
        m = self.model
        self.recorded = t + 1
        flows, net_outside = m.ledger.close_month()
        ledger_in = lambda a, tags: flow_total(flows, a, tags, 1)  # noqa: E731
        ledger_out = lambda a, tags: flow_total(flows, a, tags, -1)  # noqa: E731
        f = self.firm
        spend = m.products.ai_spend
        heads = m.talent.heads
        frontier_cap, leader = m.frontier()

        cloud_external = np.array([ledger_in(h.name, REVENUE_TAGS) for h in m.hyperscalers])
        other_clouds_revenue = ledger_in(OTHER_CLOUDS, REVENUE_TAGS)
        total_external = cloud_external.sum()
        # The whole cloud market (A24): the part outside AI models grows on its own, split by
        # home-cloud shares; AI revenue moves the shares.
        d = m.p.demand
        home_shares = self.home_shares
        other_cloud = d.cloud_market_2024_usd_per_year / 12.0 * (
            1.0 + d.cloud_market_growth_per_year) ** (t / 12.0)
        cloud_profit = 0.0
        for h in m.hyperscalers:
            i = h.index
            revenue = cloud_external[i] + ledger_in(h.name, INTERNAL_COMPUTE)
            f["revenue_usd"][t, i] = revenue
            f["cost_usd"][t, i] = ledger_out(h.name, ("capex", "energy", "rent"))
            f["capex_usd"][t, i] = ledger_out(h.name, ("capex",))
            profit = (revenue - ledger_out(h.name, ("energy", "rent"))
                      - h.capacity.depreciation_at(t))
            f["profit_usd"][t, i] = profit
            cloud_profit += profit
            f["valuation_usd"][t, i] = m.p.finance.cloud_revenue_multiple * 12 * cloud_external[i]
            f["alive"][t, i] = 1
            f["make_weight"][t, i] = h.make_weight
            f["capacity_flop_per_month"][t, i] = h.capacity.in_service(t)
            f["utilisation"][t, i] = h.utilisation
            f["price_usd_per_flop"][t, i] = h.price
            f["cloud_ai_share"][t, i] = cloud_external[i] / total_external if total_external else 0
            # AI compute rented outside the three (entrants on CoreWeave, Oracle, ...) is
            # cloud market too.
            market = other_cloud + total_external + other_clouds_revenue
            f["cloud_share"][t, i] = ((home_shares[h.cloud] * other_cloud
                                       + cloud_external[i]) / market if market > 0 else 0.0)
            f["compute_bought_flop"][t, i] = 0.0
            self.group[t, i] = h.name

        builders_margin = lab_profit = lab_sales = lab_serving = 0.0
        shares = m.products.model_spend / spend if spend > 0 else np.zeros(len(m.labs))
        for j, lab in enumerate(m.labs):
            if lab.dormant:  # a slot not yet founded: no rows, its arrays keep 0 / NaN
                continue
            i = lab.index
            revenue = ledger_in(lab.name, ("sales",))
            cost = ledger_out(lab.name, COST_TAGS)
            f["revenue_usd"][t, i] = revenue
            f["cost_usd"][t, i] = cost
            f["profit_usd"][t, i] = revenue - cost
            lab_profit += revenue - cost
            builders_margin += max(revenue - ledger_out(lab.name, SERVING), 0.0)
            lab_sales += revenue
            lab_serving += ledger_out(lab.name, ("inference", "self_inference"))
            f["train_flop"][t, i] = lab.train_flop
            f["capability"][t, i] = lab.capability if np.isfinite(lab.capability) else np.nan
            f["market_share"][t, i] = shares[j]
            f["price_usd"][t, i] = 1e6 * m.products.price[j] if lab.sells else 0.0
            f["cheap_tier_share"][t, i] = m.products.cheap_share(lab)
            f["valuation_usd"][t, i] = m.capital.valuation(lab) if lab.alive else 0.0
            f["alive"][t, i] = lab.alive
            f["researchers"][t, i] = heads[j]
            f["talent_multiplier"][t, i] = m.talent.multiplier[j]
            f["run_flop"][t, i] = lab.run_target_flop
            f["compute_bought_flop"][t, i] = m.compute.bought.get(lab.name, 0.0)
            f["raised_usd"][t, i] = lab.raised
            holder = max(lab.stakes, key=lab.stakes.get, default="")
            f["largest_stake"][t, i] = lab.stakes[holder] if holder else 0.0
            self.holder[t, i] = holder
            self.exclusive[t, i] = lab.exclusive_cloud or ""
            self.group[t, i] = self.ownership_group(lab)
        for firm in m.firms:
            f["cash_usd"][t, firm.index] = firm.cash
            self.kind[t, firm.index] = KIND_LABEL[firm.kind]
            self.owner[t, firm.index] = firm.owner

        groups = {}
        for j, lab in enumerate(m.labs):
            g = self.group[t, lab.index]
            groups[g] = groups.get(g, 0.0) + shares[j]
        ind = self.industry
        ind["frontier_flop"][t] = m.frontier_flop
        ind["frontier_capability"][t] = frontier_cap
        self.leader[t] = leader.name if leader else ""
        self.leader_kind[t] = KIND_LABEL[leader.kind] if leader else ""
        ind["hhi_revenue"][t] = 1e4 * float(np.sum(shares**2))
        ind["hhi_ownership"][t] = 1e4 * sum(s**2 for s in groups.values())
        ind["cloud_share_of_ai_spend"][t] = (
            total_external / (total_external + builders_margin)
            if total_external + builders_margin > 0 else 0.0)
        ind["roundtrip_usd"][t] = sum(h.roundtrip_month for h in m.hyperscalers)
        ind["roundtrip_cum_usd"][t] = m.compute.roundtrip_cum
        ind["strategic_invested_cum_usd"][t] = m.capital.strategic_cum
        ind["ai_spend_usd"][t] = spend
        ind["lab_sales_usd"][t] = lab_sales
        ind["lab_gross_margin"][t] = 1.0 - lab_serving / lab_sales if lab_sales > 0 else 0.0
        # Sellers' side (what each cloud delivered, own data centres and clouds outside the
        # three) against buyers' side.
        cm = m.compute
        ind["compute_sold_flop"][t] = sum(cm.sold.values()) + cm.self_supplied_flop
        ind["compute_bought_flop"][t] = (sum(cm.bought.values()) + cm.self_supplied_flop
                                         + sum(h.own_use_flop for h in m.hyperscalers)
                                         + m.other_clouds.own_use_flop)
        ind["compute_unserved_flop"][t] = (sum(h.unserved for h in m.hyperscalers)
                                           + m.other_clouds.unserved)
        ind["market_price_usd_per_flop"][t] = cm.market_price()
        ind["compute_cost_usd_per_flop"][t] = compute_market.fleet_cost(cm)
        ind["cloud_ai_profit_usd"][t] = cloud_profit
        ind["lab_profit_usd"][t] = lab_profit
        ind["labs_alive"][t] = sum(lab.alive for lab in m.labs)
        ind["independent_labs_alive"][t] = sum(lab.alive and lab.independent for lab in m.labs)
        ind["lab_exits"][t] = sum(lab.exit_month is not None for lab in m.labs)
        ind["entrants"][t] = m.roster.entrants
        ind["other_clouds_ai_revenue_usd"][t] = other_clouds_revenue
        # issue #17 items 2-3
        oc = m.other_clouds
        ind["other_clouds_revenue_usd"][t] = other_clouds_revenue
        ind["other_clouds_capacity_flop_per_month"][t] = oc.capacity.in_service(t)
        ind["other_clouds_price_usd_per_flop"][t] = oc.price
        ind["power_used_gw"][t] = m.power.used(t) / 1e9
        ind["power_available_gw"][t] = m.power.available[t] / 1e9
        ind["us_capital_left_usd"][t] = self.us_capital.cash
        ind["investor_pools_usd"][t] = sum(i.pool_per_year for i in m.investors)
        ind["valuation_multiple"][t] = m.capital.revenue_multiple
        ind["vendor_credit_usd"][t] = sum(loan.balance for loan in m.credit.loans.values())
        ind["chip_vendor_revenue_usd"][t] = m.chips.revenue
        ind["chip_vendor_margin"][t] = m.chips.margin()
        ind["chip_price_multiple"][t] = m.chips.price_multiple()
        ind["cash_total_usd"][t] = (sum(a.cash for a in [*m.firms, *m.investors, m.other_clouds])
                                    + m.ledger.cash[CHIP_VENDORS])
        ind["net_outside_flow_usd"][t] = net_outside
        ind["price_index"][t] = m.products.price_index
        self.value.record(t, flows, f, ind)

    def snapshot(self) -> Record:
        """The run's arrays and firm labels: picklable, and all that `tables` needs."""
        t = self.recorded
        if t < len(self.leader):  # a run not finished: the months so far
            cut = lambda a: a[:t]  # noqa: E731
            return dataclasses.replace(
                self._snapshot(), firm={k: cut(v) for k, v in self.firm.items()},
                group=cut(self.group), kind=cut(self.kind), owner=cut(self.owner),
                largest_holder=cut(self.holder), exclusive_cloud=cut(self.exclusive),
                industry={k: cut(v) for k, v in self.industry.items()},
                leader=cut(self.leader), leader_kind=cut(self.leader_kind))
        return self._snapshot()

    def _snapshot(self) -> Record:
        firms = self.model.firms
        return Record(
            self.firm, self.group, self.kind, self.owner, self.industry, self.leader,
            self.leader_kind, [x.name for x in firms],
            founded=[getattr(x, "founded_month", -1) for x in firms],
            exit_month=[-1 if getattr(x, "exit_month", None) is None else x.exit_month
                        for x in firms],
            exit_kind=[getattr(x, "exit_kind", "") for x in firms],
            open_weights=[getattr(x, "publishes_weights", False) for x in firms],
            other_cloud=[getattr(x, "other_cloud", False) for x in firms],
            entrant_type=[getattr(x, "entrant_type", "") for x in firms],
            dormant=[getattr(x, "dormant", False) for x in firms],
            largest_holder=self.holder, exclusive_cloud=self.exclusive)

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return tables([self.snapshot()])


class _AgentRows(Mapping):
    def __init__(self, recorder: Recorder):
        self.r = recorder

    def __getitem__(self, t: int) -> list[tuple]:
        if not 0 <= t < self.r.recorded:
            raise KeyError(t)
        f = self.r.firm
        return [(t, x.unique_id, x.name, *(float(f[k][t, x.index]) for k in f))
                for x in self.r.model.firms
                if not getattr(x, "dormant", False) and t >= getattr(x, "founded_month", -1)]

    def __iter__(self):
        return iter(range(self.r.recorded))

    def __len__(self) -> int:
        return self.r.recorded


@dataclass
class Record:
    """A run's record as plain arrays (what sweep workers send back instead of tables)."""

    firm: dict[str, np.ndarray]
    group: np.ndarray
    kind: np.ndarray  # per month and firm: an acquired lab turns in-house (entry.enabled)
    owner: np.ndarray
    industry: dict[str, np.ndarray]
    leader: list[str]
    leader_kind: list[str]
    names: list[str]
    # The roster's story, per firm: -1 = founded before 2024 / not exited.
    founded: list[int]
    exit_month: list[int]
    exit_kind: list[str]
    open_weights: list[bool]
    other_cloud: list[bool]  # trains outside the three clouds (an entrant)
    entrant_type: list[str]  # founder type of a lab founded in the run ("" for others)
    dormant: list[bool]  # a slot for a lab never founded (entry.enabled)
    # Per month and firm, the deal terms in force ("" when none; sim/markets/deals.py).
    largest_holder: np.ndarray | None = None
    exclusive_cloud: np.ndarray | None = None


def tables(records: list[Record], seeds: list[int] | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `firms` table (a row per firm per month) and the `industry` table (a row per month)
    of one or many runs, built once from their stacked arrays; with `seeds`, a last column
    `seed` says which run a row is from. A lab founded during a run has rows from its
    founding month; a slot never used has none."""
    months, n = records[0].group.shape
    dates = pd.date_range(START_DATE, periods=months, freq="MS")
    k = len(records)
    stack = lambda arrays: np.concatenate([np.ravel(a) for a in arrays])  # noqa: E731
    per_firm = lambda attr: stack(np.tile(np.array(getattr(r, attr), dtype=object), months)  # noqa: E731
                                  for r in records)
    firms = pd.DataFrame({
        "month": np.tile(np.repeat(np.arange(months), n), k),
        "date": np.tile(np.repeat(dates, n), k),
        "firm": _str(per_firm("names")),
        "kind": _str(stack(r.kind for r in records)),
        "owner": _str(stack(r.owner for r in records)),
        "group": _str(stack(r.group for r in records)),
        "largest_holder": _str(stack(_blank(r.largest_holder, r.group) for r in records)),
        "exclusive_cloud": _str(stack(_blank(r.exclusive_cloud, r.group) for r in records)),
        **{key: stack(r.firm[key] for r in records) for key in records[0].firm},
        "founded_month": per_firm("founded").astype(np.int64),
        "exit_month": per_firm("exit_month").astype(np.int64),
        "exit_kind": _str(per_firm("exit_kind")),
        "open_weights": per_firm("open_weights").astype(bool),
        "other_cloud": per_firm("other_cloud").astype(bool),
        "entrant_type": _str(per_firm("entrant_type")),
    })
    firms["alive"] = firms["alive"].astype(bool)
    firms["researchers"] = firms["researchers"].astype(np.int64)
    industry = pd.DataFrame({"month": np.tile(np.arange(months), k),
                             "date": np.tile(dates, k),
                             "leader": _str(stack(np.array(r.leader, dtype=object)
                                                  for r in records)),
                             "leader_kind": _str(stack(np.array(r.leader_kind, dtype=object)
                                                       for r in records)),
                             **{key: stack(r.industry[key] for r in records)
                                for key in records[0].industry}})
    for col in ("labs_alive", "independent_labs_alive", "lab_exits", "entrants"):
        industry[col] = industry[col].astype(np.int64)
    if seeds is not None:
        firms["seed"] = np.repeat(np.asarray(seeds, dtype=np.int64), months * n)
        industry["seed"] = np.repeat(np.asarray(seeds, dtype=np.int64), months)
    if any(any(r.dormant) or max(r.founded) >= 0 for r in records):
        exists = ~per_firm("dormant").astype(bool) & (firms["month"] >= firms["founded_month"])
        firms = firms[exists.to_numpy()].reset_index(drop=True)
    return firms, industry


def _blank(labels: np.ndarray | None, like: np.ndarray) -> np.ndarray:
    """A string column of a record, or "" throughout for a record made without it."""
    return np.full(like.shape, "", dtype=object) if labels is None else labels


def _str(labels: np.ndarray) -> pd.Series:
    """`astype(str)` of a column of few distinct labels, converting each label once."""
    codes, uniques = pd.factorize(labels)
    return pd.Series(pd.array(uniques, dtype=object).astype(str).take(codes, allow_fill=True))
