"""Business outcomes that depend on interactions: opportunities (won more often after social engagement) and
customer lifecycle (churn more often after unresolved negative interactions)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo_data.crm import Crm, salesforce_ids
from demo_data.period import DAY, Period, dates, iso

INFLUENCE_WINDOW_DAYS = 90
WIN_RATE = {"engaged": 0.45, "not_engaged": 0.22}
CHURN_RATE = {"unresolved_negative": 0.30, "other": 0.08}
OPEN_STAGES = np.array(["Prospecting", "Qualification", "Proposal", "Negotiation"])
STAGE_PROBABILITY = {"Prospecting": 10, "Qualification": 20, "Proposal": 50, "Negotiation": 75}
PLANS = np.array(["basic", "pro", "enterprise"])


@dataclass
class Interactions:
    """Every planted interaction by a CRM contact: who, when, and whether it was negative and left unresolved."""

    contact: np.ndarray
    at: np.ndarray
    unresolved_negative: np.ndarray

    @classmethod
    def combine(cls, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Interactions:
        contact, at, flag = (np.concatenate(column) for column in zip(*parts, strict=True))
        linked = contact >= 0
        return cls(contact[linked], at[linked], flag[linked])


@dataclass
class Outcomes:
    opportunities: pd.DataFrame
    lifecycle: pd.DataFrame
    truths: dict


def touched_within(account_keys: np.ndarray, touch_accounts, touch_at, close_at, window_days: int) -> np.ndarray:
    """For each (account, close time): was there a touch by that account in the window before close?"""
    scale = np.int64(10**10)
    touches = np.sort(touch_accounts.astype(np.int64) * scale + touch_at)
    low = np.searchsorted(touches, account_keys * scale + close_at - window_days * DAY, side="left")
    high = np.searchsorted(touches, account_keys * scale + close_at, side="right")
    return high > low


def generate_opportunities(rng, period: Period, crm: Crm, social: Interactions) -> tuple[pd.DataFrame, dict]:
    n_accounts = len(crm.accounts)
    n = int(n_accounts * 1.5)
    account = rng.integers(0, n_accounts, n)
    contacts_by_account = pd.Series(np.arange(len(crm.contact_account))).groupby(crm.contact_account).first()
    contact = contacts_by_account.reindex(account).to_numpy()
    created = rng.integers(period.start - 60 * DAY, period.end - 30 * DAY, n)
    close = created + rng.integers(14, 150, n) * DAY
    is_closed = close <= period.end
    engaged = touched_within(account, crm.contact_account[social.contact], social.at, close, INFLUENCE_WINDOW_DAYS)
    won = is_closed & (rng.random(n) < np.where(engaged, WIN_RATE["engaged"], WIN_RATE["not_engaged"]))
    stage = np.where(won, "Closed Won", np.where(is_closed, "Closed Lost", OPEN_STAGES[rng.integers(0, 4, n)]))
    revenue = crm.accounts["AnnualRevenue"].to_numpy()[account]
    amount = np.round(np.clip(revenue * rng.uniform(0.002, 0.02, n), 1_000, 2_000_000), -2)
    probability = np.array([STAGE_PROBABILITY.get(s, 100 if s == "Closed Won" else 0) for s in stage])
    account_ids = crm.accounts["Id"].to_numpy()
    frame = pd.DataFrame(
        {
            "Id": salesforce_ids("006", n),
            "AccountId": account_ids[account],
            "ContactId": np.where(
                np.isnan(contact), "", crm.contacts["Id"].to_numpy()[np.nan_to_num(contact).astype(int)]
            ),
            "Name": np.char.add(crm.accounts["Name"].to_numpy()[account].astype(str), " - Expansion"),
            "StageName": stage,
            "Amount": amount,
            "Probability": probability,
            "CreatedDate": iso(created, "millis"),
            "CloseDate": dates(close),
            "IsClosed": np.where(is_closed, "true", "false"),
            "IsWon": np.where(won, "true", "false"),
            "LeadSource": np.array(["Web", "Social", "Event", "Referral"])[rng.integers(0, 4, n)],
            "LastModifiedDate": iso(np.minimum(close, period.end), "millis"),
        }
    )
    closed_engaged, closed_other = is_closed & engaged, is_closed & ~engaged
    truth = {
        "definition": (
            f"won opportunities whose account had a contact tweet or DM at the brand in the "
            f"{INFLUENCE_WINDOW_DAYS} days up to CloseDate"
        ),
        "window_days": INFLUENCE_WINDOW_DAYS,
        "influenced_won_opportunities": int((won & engaged).sum()),
        "influenced_won_amount": float(amount[won & engaged].sum()),
        "total_won_amount": float(amount[won].sum()),
        "win_rate_engaged": round(float(won[closed_engaged].mean()), 4) if closed_engaged.any() else None,
        "win_rate_not_engaged": round(float(won[closed_other].mean()), 4) if closed_other.any() else None,
    }
    return frame, truth


def generate_lifecycle(rng, period: Period, crm: Crm, interactions: Interactions) -> tuple[pd.DataFrame, dict]:
    customers = np.flatnonzero(crm.is_customer)
    flagged_at = (
        pd.Series(interactions.at[interactions.unresolved_negative])
        .groupby(crm.contact_account[interactions.contact[interactions.unresolved_negative]])
        .min()
    )
    last_bad = flagged_at.reindex(customers).to_numpy()
    flagged = ~np.isnan(last_bad)
    since = crm.customer_since[customers]
    churn = rng.random(len(customers)) < np.where(flagged, CHURN_RATE["unresolved_negative"], CHURN_RATE["other"])
    earliest = np.where(flagged, np.nan_to_num(last_bad).astype(np.int64), np.maximum(since, period.start)) + 14 * DAY
    churned_at = earliest + rng.integers(0, 120, len(customers)) * DAY
    churn &= churned_at <= period.end
    plan = rng.choice(3, size=len(customers), p=[0.5, 0.35, 0.15])
    frame = pd.DataFrame(
        {
            "account_id": crm.accounts["Id"].to_numpy()[customers],
            "customer_since": dates(since),
            "churned_at": np.where(churn, dates(churned_at), ""),
            "plan": PLANS[plan],
            "mrr": np.round(np.array([99.0, 499.0, 2_500.0])[plan] * rng.uniform(0.8, 1.5, len(customers)), 2),
        }
    )
    truth = {
        "definition": (
            "customer accounts with a contact whose negative ticket stayed unsolved or negative mention/DM stayed "
            "unanswered, vs all other customer accounts; churned = churned_at within the period"
        ),
        "accounts_with_unresolved_negative": int(flagged.sum()),
        "accounts_without": int((~flagged).sum()),
        "churn_rate_with_unresolved_negative": round(float(churn[flagged].mean()), 4) if flagged.any() else None,
        "churn_rate_without": round(float(churn[~flagged].mean()), 4) if (~flagged).any() else None,
    }
    return frame, truth
