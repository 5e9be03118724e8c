"""Regulatory notes of each radio preset in Colombia: band, licence, who may operate, EIRP rule.

:data:`REGULATIONS` holds one :class:`Regulation` per preset of
:data:`coverage.radio.technology.PRESETS` (:func:`regulation_for` looks one up), and
:func:`regulation_assumptions` gives a plan's assumption lines, with the statement that a plan
on a licensed band needs an operator partner. The uso-libre instrument of Colombia is ANE
Resolución 105 de 2020 (compiled, modified later); its tables were not checked here, so the
EIRP figures are the FCC 47 CFR Part 15 ones the presets encode, as an ASSUMPTION.
"""

from __future__ import annotations

from dataclasses import dataclass

from coverage.errors import InputError

__all__ = ["REGULATIONS", "Regulation", "regulation_assumptions", "regulation_for"]

#: The Colombian uso-libre instrument and its later changes, as cited in every note.
_ANE_105 = (
    "ANE Resolución 105 de 2020 (uso libre del espectro; compiled, modified later, e.g. by "
    "ANE Resolución 153 de 2024 of 26 March 2024, "
    "https://normograma.mintic.gov.co/mintic/docs/resolucion_ane_0153_2024.htm); its Anexo 1 "
    "table of bands and conditions was not checked here: verify"
)
_AUCTION = (
    "MinTIC Resolución 3078 de 2019 (25 Nov 2019): auction of 700, 1900 and 2500 MHz permits, "
    "https://normograma.com/crc/compilacion/docs/resolucion_mintic_3078_2019.htm"
)
_RESULTS = (
    "Portafolio, January 2020, auction of 20 Dec 2019: Claro 20 MHz, Tigo (Colombia Móvil) "
    "40 MHz and Partners Telecom (WOM) 20 MHz in 700 MHz, "
    "https://m.portafolio.co/economia/el-recaudo-de-la-subasta-del-espectro-en-el-pais-caeria-24-536893"
)
_TVWS_NOTE = (
    "El Tiempo, April 2021, column of the ANE's director: TVWS devices follow ANE Resolución "
    "105 de 2020 (uso libre), https://www.eltiempo.com/opinion/columnistas/miguel-felipe-"
    "anzola-espinosa/columna-de-miguel-espinosa-sobre-los-espacios-en-blanco-de-tv-582433"
)
_LORAWAN = "LoRaWAN Regional Parameters RP002-1.0.3 (AU915-928 for Colombia)"
_FREE_USE = (
    "anyone, without a spectrum permit, with equipment that meets the uso-libre technical "
    "conditions (ANE Resolución 105 de 2020); offering internet service to the public still "
    "takes registration as a provider with MinTIC (Registro TIC: verify)"
)


@dataclass(frozen=True)
class Regulation:
    """The regulatory note of one preset in Colombia.

    Attributes
    ----------
    preset, band
        Key of :data:`coverage.radio.technology.PRESETS`; the band in words.
    low_mhz, high_mhz
        Edges (MHz) of the band the note covers.
    licensed
        True when the band needs a MinTIC permit (held by operators); False for uso libre.
    who_may_operate, eirp_rule
        Who may transmit on the band in Colombia; the EIRP rule the preset applies.
    max_eirp_dbm
        The rule's EIRP limit (dBm), as the preset's ``max_eirp_dbm``; None where the band
        is licensed or the rule caps conducted power rather than EIRP.
    needs_operator_partner
        True when a municipality cannot deploy the band alone and needs a permit holder.
    sources
        Where each fact comes from; ASSUMPTION or "verify" marks what was not checked.
    permit_holders
        Who holds the band's permits, in words, where it is licensed; "" otherwise.
    """

    preset: str
    band: str
    low_mhz: float
    high_mhz: float
    licensed: bool
    who_may_operate: str
    eirp_rule: str
    max_eirp_dbm: float | None
    needs_operator_partner: bool
    sources: tuple[str, ...]
    permit_holders: str = ""

    def covers(self, f_mhz: float) -> bool:
        """Whether a carrier frequency lies in the band of this note.

        Parameters
        ----------
        f_mhz
            Carrier frequency (MHz).

        Returns
        -------
        bool
            ``low_mhz <= f_mhz <= high_mhz``.
        """
        return self.low_mhz <= f_mhz <= self.high_mhz

    def describe(self) -> str:
        """The note in one sentence: preset, band, licence, who may operate, EIRP rule.

        Returns
        -------
        str
            The sentence, without its full stop.
        """
        kind = "licensed" if self.licensed else "unlicensed (uso libre)"
        return (
            f"{self.preset}: {self.band}, {self.low_mhz:g}-{self.high_mhz:g} MHz, {kind}; "
            f"who may operate: {self.who_may_operate}; EIRP rule: {self.eirp_rule}"
        )


REGULATIONS: dict[str, Regulation] = {
    r.preset: r
    for r in (
        Regulation(
            preset="lte-b28-small-cell",
            band="LTE band 28 (APT 700 MHz)",
            low_mhz=703.0,
            high_mhz=803.0,
            licensed=True,
            who_may_operate=(
                "only holders of a MinTIC permit in 700 MHz: after the December 2019 auction, "
                "Claro (20 MHz), Colombia Móvil/Tigo (40 MHz) and Partners Telecom/WOM "
                "(20 MHz); holdings may have changed since 2020 (verify with MinTIC)"
            ),
            eirp_rule=(
                "no uso-libre limit: the power is the permit holder's, within its permit and "
                "3GPP TS 36.104 (medium-range base station <= 38 dBm per port)"
            ),
            max_eirp_dbm=None,
            needs_operator_partner=True,
            sources=(_AUCTION, _RESULTS, "3GPP TS 36.101 Table 5.5-1 (band 28, 703-803 MHz)"),
            permit_holders="Claro, Colombia Móvil (Tigo), Partners Telecom (WOM)",
        ),
        Regulation(
            preset="wifi-5ghz-ptmp",
            band="5.8 GHz point-to-multipoint",
            low_mhz=5725.0,
            high_mhz=5850.0,
            licensed=False,
            who_may_operate=_FREE_USE,
            eirp_rule=(
                "ANE Resolución 105 de 2020 applies; ASSUMPTION: 36 dBm EIRP at each end of a "
                "point-to-multipoint link, the figure of 47 CFR 15.407(a)(3), the ANE table "
                "not checked"
            ),
            max_eirp_dbm=36.0,
            needs_operator_partner=False,
            sources=(_ANE_105, "47 CFR 15.407(a)(3) (ASSUMPTION for the EIRP figure)"),
        ),
        Regulation(
            preset="tvws",
            band="TV white spaces (UHF TV band)",
            low_mhz=470.0,
            high_mhz=698.0,
            licensed=False,
            who_may_operate=(
                "anyone under uso libre, on the TV channels free at the place and time (the "
                "ANE's white-space database gives them); the earlier ANE rule of 2017 "
                "(Resolución 461 de 2017, number not verified) is compiled in Resolución 105"
            ),
            eirp_rule=(
                "ANE Resolución 105 de 2020 applies; ASSUMPTION: 36 dBm EIRP for a fixed "
                "device, the figure of 47 CFR 15.709, the ANE table not checked"
            ),
            max_eirp_dbm=36.0,
            needs_operator_partner=False,
            sources=(_ANE_105, _TVWS_NOTE, "47 CFR 15.709 (ASSUMPTION for the EIRP figure)"),
        ),
        Regulation(
            preset="lora-915",
            band="915 MHz ISM (LoRaWAN AU915-928 channels)",
            low_mhz=902.0,
            high_mhz=928.0,
            licensed=False,
            who_may_operate=_FREE_USE,
            eirp_rule=(
                "ANE Resolución 105 de 2020 applies; ASSUMPTION: 30 dBm conducted into at "
                "most 6 dBi, 36 dBm EIRP, the figure of 47 CFR 15.247, the ANE table not "
                "checked"
            ),
            max_eirp_dbm=36.0,
            needs_operator_partner=False,
            sources=(_ANE_105, "47 CFR 15.247 (ASSUMPTION for the EIRP figure)", _LORAWAN),
        ),
        Regulation(
            preset="ptp-5ghz",
            band="5.8 GHz point-to-point",
            low_mhz=5725.0,
            high_mhz=5850.0,
            licensed=False,
            who_may_operate=_FREE_USE,
            eirp_rule=(
                "ANE Resolución 105 de 2020 applies; ASSUMPTION: 30 dBm conducted and no EIRP "
                "reduction for high-gain fixed point-to-point antennas, the rule of 47 CFR "
                "15.407(a)(3), the ANE table not checked"
            ),
            max_eirp_dbm=None,
            needs_operator_partner=False,
            sources=(_ANE_105, "47 CFR 15.407(a)(3) (ASSUMPTION for the rule)"),
        ),
        Regulation(
            preset="ptp-60ghz",
            band="60 GHz point-to-point",
            low_mhz=57_000.0,
            high_mhz=71_000.0,
            licensed=False,
            who_may_operate=(
                "ASSUMPTION: anyone under uso libre, as in the FCC rule; which part of 57-71 "
                "GHz is uso libre in Colombia was not checked (verify in ANE Res. 105/2020)"
            ),
            eirp_rule=(
                "ASSUMPTION: the fixed point-to-point limits of 47 CFR 15.255 (EIRP rising "
                "with antenna gain), the ANE table not checked"
            ),
            max_eirp_dbm=None,
            needs_operator_partner=False,
            sources=(_ANE_105, "47 CFR 15.255 (ASSUMPTION for the rule)"),
        ),
    )
}


def regulation_for(preset_name: str) -> Regulation:
    """The regulatory note of a preset.

    Parameters
    ----------
    preset_name
        A key of :data:`coverage.radio.technology.PRESETS`, e.g. ``"lte-b28-small-cell"``.

    Returns
    -------
    Regulation
        Its note in :data:`REGULATIONS`.

    Raises
    ------
    InputError
        No note for that name; the message lists the presets that have one.
    """
    try:
        return REGULATIONS[preset_name]
    except KeyError:
        msg = (
            f"No regulatory note for preset {preset_name!r}; the presets with one are: "
            f"{', '.join(sorted(REGULATIONS))}."
        )
        raise InputError(msg) from None


def regulation_assumptions(
    access_preset: str, backhaul_preset: str, *, access_f_mhz: float, backhaul_f_mhz: float
) -> list[str]:
    """The plan's assumption lines on regulation: access and backhaul, and the partner note.

    Parameters
    ----------
    access_preset, backhaul_preset
        The ``[technology] preset`` and the ``[backhaul] preset``.
    access_f_mhz, backhaul_f_mhz
        The frequencies (MHz) the plan uses; one outside its preset's band is said so.

    Returns
    -------
    list of str
        A line on the access preset, one on the backhaul band and, when the access band is
        licensed, the statement that the plan needs an operator partner.

    Raises
    ------
    InputError
        A preset without a regulatory note (:func:`regulation_for`).
    """
    access, backhaul = regulation_for(access_preset), regulation_for(backhaul_preset)
    lines = [
        f"Access regulation (Colombia): {access.describe()}.{_outside(access, access_f_mhz)}",
        f"Backhaul regulation (Colombia): {backhaul.preset}: {backhaul.band}, "
        f"{'licensed' if backhaul.licensed else 'unlicensed (uso libre)'}; EIRP rule: "
        f"{backhaul.eirp_rule}.{_outside(backhaul, backhaul_f_mhz)}",
    ]
    if access.needs_operator_partner:
        lines.append(
            f"Needs an operator partner: {access.band} is licensed in Colombia, so the "
            "municipality cannot deploy it alone: one of the permit holders "
            f"({access.permit_holders or 'verify'}) must operate it, through RAN sharing, a "
            "neutral-host agreement or its own rural coverage obligations."
        )
    return lines


def _outside(r: Regulation, f_mhz: float) -> str:
    """A sentence when ``f_mhz`` lies outside the note's band, else ""."""
    if r.covers(f_mhz):
        return ""
    return f" The plan uses {f_mhz:g} MHz, outside this band: the note does not apply (verify)."
