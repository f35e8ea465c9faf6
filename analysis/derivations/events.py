"""Clinical events after a course: first events, follow-up and time-to-event rows (ADTTE)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derivations.timing import days_between, months_from_days
from analysis.sheets.dictionary import load_dictionary

ALIVE_CONTACTS = ["last_contact", "lost_to_follow_up"]
EFS_RULES = load_dictionary()["study"].columns["efs_rule"].meanings  # rule -> its events
DEFAULT_EFS_RULE = "hsct_censored"  # the censoring rule the article's Methods state


def first_event(events: pd.DataFrame, kinds: list[str], index_dates: pd.Series) -> pd.Series:
    """Date of each patient's first event of the given kinds on or after their index date."""
    rows = events[events["event"].isin(kinds)]
    rows = rows[rows["event_date"] >= rows["patient_id"].map(index_dates)]
    return rows.groupby("patient_id")["event_date"].min().reindex(index_dates.index)


def end_of_follow_up(events: pd.DataFrame, patients: pd.Index, cutoff: pd.Timestamp
                     ) -> pd.Series:
    """Last date each patient is known about: death, last contact or loss to follow-up;
    the data cut-off for patients with none of these."""
    last = last_known(events).set_index("patient_id")["event_date"].reindex(patients)
    return last.fillna(cutoff).clip(upper=cutoff)


def last_known(events: pd.DataFrame) -> pd.DataFrame:
    """Each patient's latest death, last-contact or loss-to-follow-up row."""
    known = events[events["event"].isin(["death", *ALIVE_CONTACTS])]
    return known.sort_values("event_date", kind="stable").groupby("patient_id").tail(1)


def time_to_event(index_dates: pd.Series, event_dates: pd.Series, censor_dates: pd.Series,
                  parameter: str, rule: str, description: str) -> pd.DataFrame:
    """ADTTE rows: time from the index date to the event, or to censoring when no event."""
    has_event = event_dates.notna() & (event_dates <= censor_dates)
    end = event_dates.where(has_event, censor_dates)
    days = days_between(index_dates, end)
    return pd.DataFrame({
        "patient_id": index_dates.index,
        "paramcd": parameter,
        "rule": rule,
        "aval_days": days.to_numpy(),
        "aval_months": months_from_days(days).to_numpy(),
        "cnsr": np.where(has_event, 0, 1),
        "evntdesc": np.where(has_event, description, "censored"),
    })


def survival_rows(events: pd.DataFrame, index_dates: pd.Series, cutoff: pd.Timestamp,
                  no_response: pd.Series | None = None) -> pd.DataFrame:
    """OS and EFS (under each rule of EFS_RULES) from the index infusion dates;
    ``no_response`` is True for patients without CR after the index infusion (an event on
    its day under the induction-failure rule; none when not given)."""
    end = end_of_follow_up(events, index_dates.index, cutoff)
    death = first_event(events, ["death"], index_dates)
    relapse_or_death = first_event(events, ["relapse", "death"], index_dates)
    hsct = first_event(events, ["hsct"], index_dates)
    rows = [time_to_event(index_dates, death, end, "OS", "death", "death")]
    rows.append(time_to_event(index_dates, relapse_or_death, end, "EFS", "hsct_ignored",
                              "relapse or death"))
    censored_at = pd.concat([end, hsct], axis=1).min(axis=1)
    rows.append(time_to_event(index_dates, relapse_or_death, censored_at, "EFS",
                              "hsct_censored", "relapse or death"))
    with_hsct = pd.concat([relapse_or_death, hsct], axis=1).min(axis=1)
    rows.append(time_to_event(index_dates, with_hsct, end, "EFS", "hsct_event",
                              "relapse, transplantation or death"))
    failed = (pd.Series(False, index=index_dates.index) if no_response is None
              else no_response.reindex(index_dates.index).fillna(True).astype(bool))
    failure = index_dates.where(failed)
    first = pd.concat([failure, relapse_or_death], axis=1).min(axis=1)
    rows.append(time_to_event(index_dates, first, censored_at, "EFS", "induction_failure",
                              "induction failure, relapse or death"))
    return pd.concat(rows, ignore_index=True)
