"""Economy and pay (`economy`): fiscal revenue, aid, frozen reserves, hardship, pay and arrears.

Money is in USD million a month unless said otherwise. The rules are in
`sim.rules.economy`.
"""

from __future__ import annotations

from sim.inputs.pars.declare import MONEY, PROBABILITY, Block, Bound, Par, Range, judgement

MUSD = "USD million a month"

ECONOMY = Block(
    "economy",
    (
        Par(
            "domestic_revenue_musd",
            float,
            "revenue capacity before hardship and sanctions, set so that revenue over months "
            "6-18 is near the FY1401 budget's 186.7bn AFN a year ($177M a month at 88 AFN/$)",
            MUSD,
            200,
            MONEY,
            Range(150, 250, "FY1401 budget 186.7bn AFN/yr, 88 AFN/$"),
        ),
        Par(
            "revenue_noise",
            float,
            "sd of the monthly log-revenue shock",
            "log",
            0.1,
            Bound(0.0, 2.0, "sd of log revenue: 2 is a 7x swing"),
            Range(0.0, 0.2, judgement("monthly collections vary (Ministry of Finance)")),
        ),
        Par(
            "hardship",
            float,
            "hardship at month 0",
            "0..1",
            0.7,
            PROBABILITY,
            Range(0.5, 0.9, "World Bank: GDP -20.7% in 2021; salaries unpaid; level: judgement"),
        ),
        Par(
            "hardship_floor",
            float,
            "hardship with reserves released and no aid",
            "0..1",
            0.2,
            PROBABILITY,
            Range(0.1, 0.4, judgement("a poor economy keeps some hardship whatever happens")),
        ),
        Par(
            "frozen_hardship",
            float,
            "hardship added while all reserves stay frozen (liquidity, prices)",
            "0..1",
            0.5,
            PROBABILITY,
            Range(0.2, 0.7, judgement("liquidity crisis of 2021-22 (World Bank)")),
        ),
        Par(
            "aid_relief",
            float,
            "hardship relieved per $100M a month of aid",
            "per $100M a month",
            0.15,
            Bound(0.0, 100.0, "per $100M a month: any aid relieves all"),
            Range(0.05, 0.3, judgement("per $100M a month; the appeal was $367M a month")),
        ),
        Par(
            "hardship_adjust",
            float,
            "share of the gap to the target hardship closed each month",
            "per month",
            0.1,
            PROBABILITY,
            Range(
                0.05, 0.3, judgement("hardship follows its causes over months (half-lives 2-13)")
            ),
        ),
        Par(
            "hardship_noise",
            float,
            "sd of hardship's monthly shock (drought, prices, remittances)",
            "0..1",
            0.02,
            Bound(0.0, 0.5, "a shock of half the scale each month is beyond any economy"),
            Range(
                0.0,
                0.05,
                "World Bank Afghanistan Economic Monitor 2022: month-to-month swings of "
                "food prices of a few percent; size on the 0..1 scale: judgement",
            ),
        ),
        Par(
            "hardship_revenue_loss",
            float,
            "share of revenue lost at full hardship",
            "0..1",
            0.45,
            PROBABILITY,
            Range(0.1, 0.5, "World Bank 2022: revenue fell with output; size: judgement"),
        ),
        Par(
            "sanction_damage",
            float,
            "share of revenue lost at full mean pressure (trade, banking)",
            "0..1",
            0.2,
            PROBABILITY,
            Range(0.0, 0.3, judgement("banking and trade restrictions")),
        ),
        Par(
            "recognition_trade_gain",
            float,
            "revenue gained when every state recognises the Taliban (trade)",
            "x revenue",
            0.2,
            Bound(0.0, 10.0, "x revenue: ten times the revenue is beyond any trade"),
            Range(
                0.0,
                0.4,
                judgement("trade and banking reopen: a partial recovery of revenue at most"),
            ),
        ),
        Par(
            "aid_fungible",
            float,
            "share of aid that reaches the Taliban budget (most bypasses it)",
            "0..1",
            0.05,
            PROBABILITY,
            Range(
                0.0, 0.15, "OCHA: aid delivered outside the de facto authorities; size: judgement"
            ),
        ),
        Par(
            "military_share",
            float,
            "share of revenue for fighters' pay and upkeep",
            "0..1",
            0.2,
            PROBABILITY,
            Range(0.15, 0.4, judgement("security ministries in the FY1401 budget")),
        ),
        Par(
            "wage_usd",
            float,
            "monthly pay and upkeep per fighter",
            "USD a fighter-month",
            400,
            Bound(1.0, 1e6, "USD a fighter-month: one at least"),
            Range(200, 600, judgement("pay and upkeep per fighter-month")),
        ),
        Par(
            "crackdown_cost_musd",
            float,
            "cost of operations at full crackdown intensity",
            MUSD,
            5,
            MONEY,
            Range(1.0, 15.0, judgement("operations by a few thousand fighters: small beside pay")),
        ),
        Par(
            "accuracy_cost_musd",
            float,
            "cost of intelligence-led targeting at full accuracy and intensity",
            MUSD,
            20,
            MONEY,
            Range(2.0, 25.0, judgement("intelligence-led targeting")),
        ),
        Par(
            "initial_arrears_months",
            float,
            "salaries owed at month 0 (unpaid from 23 Aug to 21 Nov 2021)",
            "months of pay",
            3,
            Bound(0.0, 600.0, "months of pay: the longest run"),
            Range(2.0, 4.0, "Finance Ministry: salaries unpaid Aug-Nov 2021"),
        ),
        Par(
            "frozen_funds_musd",
            float,
            "central-bank reserves frozen abroad at month 0; not budget revenue",
            "USD million",
            9400,
            MONEY,
            Range(9000, 9500, "IMF: $9.4bn gross reserves, Apr 2021"),
        ),
        Par(
            "unfrozen",
            bool,
            "the reserves are released whatever the Taliban do",
            default=False,
        ),
        Par(
            "unfreeze_rate",
            float,
            "share of what is left of the released reserves reaching the economy each month",
            "per month",
            0.05,
            PROBABILITY,
            Range(0.02, 0.2, judgement("released reserves reach the economy over months to years")),
        ),
        Par(
            "grievance_rate",
            float,
            "grievance added per month at zero pay",
            "per month",
            0.1,
            PROBABILITY,
            Range(0.05, 0.2, judgement("unpaid fighters turn aggrieved within months to a year")),
        ),
        Par(
            "grievance_relief",
            float,
            "share of grievance relieved per month at full pay",
            "per month",
            0.2,
            PROBABILITY,
            Range(0.1, 0.4, judgement("grievance fades within months of full pay")),
        ),
        Par(
            "breakaway_pay",
            float,
            "pay ratio of a faction that broke away (own means)",
            "0..1",
            0.5,
            PROBABILITY,
            Range(0.2, 0.8, judgement("own means: smuggling, local taxes")),
        ),
    ),
)
"""The economy's keys, in the order of a scenario file."""
