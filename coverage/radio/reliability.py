"""The margin a stated location and time reliability needs, from the model's own variability.

A link is planned for a reliability: the share of locations (and of time) where the
received power reaches the threshold. Its margin over the median is ``z(p) x sigma``, the
standard normal quantile of the reliability times the spread of the loss (lognormal
shadowing).

* With ITM the model itself gives the loss at the time and location quantiles (NTIA TR
  82-100, broadcast mode of variability; its location spread is
  ``sigma_L = 10 k dh / (k dh + 13)`` dB, about :data:`ITM_ROUGH_SIGMA_DB` on terrain as
  rough as the Andes). Only a terminal's own spread (building entry) is added, combined by
  root-sum-square: ``z (sqrt(sigma_L^2 + sigma_T^2) - sigma_L)``.
* Other models give a median: the margin is ``z sqrt(sigma_SF^2 + sigma_T^2)`` with the
  shadow fading of 3GPP TR 38.901 V17.0.0 Table 7.4.1-1, rural macro NLOS
  (:data:`RMA_NLOS_SIGMA_DB`); their time variability is not modelled (median time).
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import norm

from coverage.errors import InputError

__all__ = ["ITM_ROUGH_SIGMA_DB", "RMA_NLOS_SIGMA_DB", "Reliability", "reliability"]

#: ITM's location spread on rough terrain (dB): the limit of ``10 k dh / (k dh + 13)`` for
#: a terrain irregularity ``dh`` of hundreds of metres (NTIA TR 82-100 and ITM's algorithm).
ITM_ROUGH_SIGMA_DB = 10.0
#: Shadow fading of the rural macro scenario, NLOS (dB): TR 38.901 Table 7.4.1-1.
RMA_NLOS_SIGMA_DB = 8.0


@dataclass(frozen=True)
class Reliability:
    """A stated reliability and the margin (dB) it adds to the received-power threshold.

    Attributes
    ----------
    location_pct, time_pct
        The reliability: share of locations and of time (%).
    margin_db
        Margin (dB) beyond what the propagation model's loss already holds.
    model_sigma_db
        Spread (dB) of the loss over locations: ITM's (in its loss) or the sourced shadowing.
    terminal_sigma_db
        Spread (dB) of the terminal's own loss (building entry).
    in_model
        The propagation model gives the loss at the quantiles itself (ITM).
    """

    location_pct: float
    time_pct: float
    margin_db: float
    model_sigma_db: float
    terminal_sigma_db: float
    in_model: bool

    def describe(self) -> str:
        """One line for outputs: the reliability and where its margin comes from.

        Returns
        -------
        str
        """
        if self.in_model:
            source = (
                f"the ITM loss at {self.time_pct:g} % of time and {self.location_pct:g} % of "
                f"locations (broadcast variability; sigma_L about {self.model_sigma_db:g} dB "
                "on rough terrain)"
            )
        else:
            source = (
                f"the median loss plus z x {self.model_sigma_db:g} dB shadow fading (3GPP TR "
                "38.901 Table 7.4.1-1, RMa NLOS); time variability not modelled"
            )
        extra = (
            f"; terminal spread {self.terminal_sigma_db:g} dB adds {self.margin_db:.1f} dB"
            if self.in_model and self.terminal_sigma_db
            else f"; margin {self.margin_db:.1f} dB"
            if not self.in_model
            else ""
        )
        return f"{self.location_pct:g} % of locations, {self.time_pct:g} % of time: {source}{extra}"


def reliability(
    location_pct: float, time_pct: float, *, model_varies: bool, terminal_sigma_db: float = 0.0
) -> Reliability:
    """The margin (dB) a location and time reliability needs beyond the model's loss.

    Parameters
    ----------
    location_pct
        Share of locations (%) to serve, strictly between 0 and 100.
    time_pct
        Share of time (%), strictly between 0 and 100.
    model_varies
        The model's loss is already at those quantiles (ITM in broadcast mode).
    terminal_sigma_db
        Spread (dB) of the terminal's loss (building entry), independent of the path's.

    Returns
    -------
    Reliability
        With ``margin_db``: ``z (sqrt(sigma_L^2 + sigma_T^2) - sigma_L)`` when the model
        varies (``sigma_L`` = :data:`ITM_ROUGH_SIGMA_DB`), else
        ``z sqrt(sigma_SF^2 + sigma_T^2)`` (:data:`RMA_NLOS_SIGMA_DB`).

    Raises
    ------
    InputError
        A reliability outside (0, 100) or a negative spread.
    """
    if not (0 < location_pct < 100 and 0 < time_pct < 100) or not terminal_sigma_db >= 0:
        msg = (
            f"reliability: location {location_pct} % and time {time_pct} % must lie strictly "
            f"between 0 and 100, and the terminal's spread {terminal_sigma_db} dB must be >= 0."
        )
        raise InputError(msg)
    z = float(norm.ppf(location_pct / 100.0))
    sigma = ITM_ROUGH_SIGMA_DB if model_varies else RMA_NLOS_SIGMA_DB
    total = (sigma**2 + terminal_sigma_db**2) ** 0.5
    margin = z * (total - sigma) if model_varies else z * total
    return Reliability(
        location_pct, time_pct, float(margin), sigma, terminal_sigma_db, model_varies
    )
