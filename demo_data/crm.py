"""CRM accounts and contacts (Salesforce export shape). Opportunities and lifecycle come in outcomes.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo_data.period import DAY, Period, iso

FIRST_NAMES = np.array(["ana", "ben", "chloe", "dev", "emma", "felix", "grace", "hugo", "ines", "jon", "kai", "lea"])
LAST_NAMES = np.array(["silva", "smith", "jones", "garcia", "kim", "nguyen", "muller", "rossi", "khan", "brown"])
INDUSTRIES = np.array(["Retail", "Software", "Manufacturing", "Healthcare", "Finance", "Media"])
COUNTRIES = np.array(["US", "GB", "DE", "BR", "FR", "NL", "ES"])
ACCOUNT_TYPES = np.array(["Customer", "Prospect", "Partner"])


def salesforce_ids(prefix: str, count: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, count + 1).astype(str), 15))


@dataclass
class Crm:
    accounts: pd.DataFrame
    contacts: pd.DataFrame
    is_customer: np.ndarray
    customer_since: np.ndarray
    contact_account: np.ndarray
    contact_handle: np.ndarray
    contact_email: np.ndarray

    @property
    def customer_contacts(self) -> np.ndarray:
        return np.flatnonzero(self.is_customer[self.contact_account])

    @property
    def prospect_contacts(self) -> np.ndarray:
        return np.flatnonzero(self.accounts["Type"].to_numpy()[self.contact_account] == "Prospect")


def generate_crm(rng: np.random.Generator, period: Period, n_accounts: int) -> Crm:
    account_ids = salesforce_ids("001", n_accounts)
    kinds = rng.choice(3, size=n_accounts, p=[0.55, 0.4, 0.05])
    is_customer = kinds == 0
    # Customers joined up to three years before the period and until two months before its end.
    customer_since = rng.integers(period.start - 3 * 365 * DAY, period.end - 60 * DAY, size=n_accounts)
    created = np.minimum(customer_since, period.start) - rng.integers(30, 400, size=n_accounts) * DAY
    names = np.char.add(np.char.capitalize(LAST_NAMES[rng.integers(0, len(LAST_NAMES), n_accounts)]), " & Co ")
    accounts = pd.DataFrame(
        {
            "Id": account_ids,
            "Name": np.char.add(names, np.arange(1, n_accounts + 1).astype(str)),
            "Industry": INDUSTRIES[rng.integers(0, len(INDUSTRIES), n_accounts)],
            "AnnualRevenue": np.round(np.exp(rng.normal(16, 1.3, n_accounts)), -3).astype(np.int64),
            "NumberOfEmployees": np.exp(rng.normal(5, 1.4, n_accounts)).astype(np.int64) + 1,
            "BillingCountry": COUNTRIES[rng.integers(0, len(COUNTRIES), n_accounts)],
            "Type": ACCOUNT_TYPES[kinds],
            "CreatedDate": iso(created, "millis"),
            "LastModifiedDate": iso(period.end - rng.integers(0, 30 * DAY, n_accounts), "millis"),
        }
    )

    n_contacts = n_accounts * 5
    contact_account = rng.integers(0, n_accounts, size=n_contacts)
    first = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n_contacts)]
    last = LAST_NAMES[rng.integers(0, len(LAST_NAMES), n_contacts)]
    number = np.arange(n_contacts).astype(str)
    domain = np.char.add(np.char.add("co", np.char.zfill(contact_account.astype(str), 5)), ".example.com")
    emails = np.char.add(np.char.add(np.char.add(np.char.add(first, "."), last), number), np.char.add("@", domain))
    handles = np.where(rng.random(n_contacts) < 0.4, np.char.add(np.char.add(first, last), number), "")
    contacts = pd.DataFrame(
        {
            "Id": salesforce_ids("003", n_contacts),
            "AccountId": account_ids[contact_account],
            "FirstName": np.char.capitalize(first),
            "LastName": np.char.capitalize(last),
            "Email": emails,
            "Twitter_Handle__c": handles,
            "Title": np.array(["Manager", "Director", "Engineer", "Analyst", "VP"])[rng.integers(0, 5, n_contacts)],
            "LeadSource": np.array(["Web", "Event", "Referral", "Social", "Partner"])[rng.integers(0, 5, n_contacts)],
            "CreatedDate": iso(created[contact_account] + rng.integers(0, 200, n_contacts) * DAY, "millis"),
            "LastModifiedDate": iso(period.end - rng.integers(0, 60 * DAY, n_contacts), "millis"),
        }
    )
    return Crm(accounts, contacts, is_customer, customer_since, contact_account, handles, emails)
