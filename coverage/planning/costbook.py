"""The default cost items: every price the planner uses, with its low, central and high value
and its source, or the word ASSUMPTION and why.

Prices are US dollars of 2025. Colombian peso prices are converted at 4,000 COP per USD
(ASSUMPTION: the order of the Banco de la República TRM during 2025; check the day's rate).
Most items are assumptions: no public price list for rural Colombian towers, solar sites or
small cells was found. They are orders of magnitude for a planner to compare scenarios, not
quotes; replace them in the scenario's ``[costs.items]`` with local quotes before a budget
decision. The outputs list every item a plan uses and flag each assumption.

Keys: ``mast_<h>m`` prices a mast of ``h`` metres; ``radio_<preset>`` the access radio of a
technology preset (:data:`coverage.radio.technology.PRESETS`); the others are named in
:data:`DEFAULT_ITEMS`.
"""

from __future__ import annotations

from coverage.planning.costitem import CostItem

__all__ = ["COP_PER_USD", "DEFAULT_ITEMS", "SOURCES"]

#: Pesos per US dollar for the converted prices. ASSUMPTION (see the module docstring).
COP_PER_USD = 4_000.0

#: The published sources the items cite, by short name.
SOURCES = {
    "esquire2025": (
        "Esquire Colombia (2025), 'La revolución del internet satelital': Starlink kit about "
        "1,370,000 COP, residential service 150,000-250,000 COP a month, 50-150 Mbps"
    ),
    "centrosdigitales2021": (
        "ATN Televisión (2021), 'Internet gratuito para las zonas rurales de Colombia': "
        "MinTIC Centros Digitales at rural schools, an outdoor zone for the community of up "
        "to 7,800 m2"
    ),
    "zonasrurales2019": (
        "KienyKe (2019), 'Proyecto brindará internet a mil zonas rurales del país': at "
        "least 10 simultaneous users and 9 Mbps per zone (contrato de aporte 618 de 2019)"
    ),
    "semana2025": (
        "Semana (2025-12-05), 'Cambiar de plan en Starlink': kit given free from "
        "4 November 2025 (a promotion)"
    ),
}

_ASSUMED = "ASSUMPTION: order of magnitude, no public quote found; replace with local prices"


def _item(
    key: str,
    label: str,
    unit: str,
    capex: tuple[float, float, float] = (0.0, 0.0, 0.0),
    opex: tuple[float, float, float] = (0.0, 0.0, 0.0),
    source: str = _ASSUMED,
) -> CostItem:
    return CostItem(key, label, unit, capex, opex, source)


#: Every default item by key.
DEFAULT_ITEMS: dict[str, CostItem] = {
    i.key: i
    for i in (
        # --- masts: by height, foundation included ------------------------------------
        _item("mast_6m", "Pole or rooftop mount, 6 m", "site", (500, 1_500, 3_000)),
        _item("mast_12m", "Guyed mast, 12 m", "site", (5_000, 8_000, 12_000)),
        _item("mast_18m", "Guyed mast, 18 m", "site", (8_000, 15_000, 22_000)),
        _item("mast_30m", "Self-supporting lattice tower, 30 m", "site", (20_000, 35_000, 50_000)),
        # --- every site ---------------------------------------------------------------
        _item(
            "civil_works",
            "Civil works: base, fence, earthing, lightning rod",
            "site",
            (2_000, 4_000, 8_000),
        ),
        _item(
            "installation",
            "Installation, transport on mountain tracks, commissioning",
            "site",
            (3_000, 6_000, 10_000),
        ),
        _item(
            "permits",
            "Permits: municipal licence, height clearance where needed",
            "site",
            (500, 1_500, 3_000),
        ),
        _item(
            "maintenance",
            "Maintenance: preventive visits and spares",
            "site",
            opex=(1_000, 2_000, 4_000),
        ),
        _item(
            "site_lease",
            "Site lease on private land (none at a school)",
            "site",
            opex=(0, 1_200, 3_000),
        ),
        # --- access radios, by technology preset --------------------------------------
        _item(
            "radio_lte-b28-small-cell",
            "LTE band 28 outdoor small cell, antennas, GPS sync",
            "access site",
            (4_000, 8_000, 15_000),
        ),
        _item(
            "radio_wifi-5ghz-ptmp",
            "5 GHz point-to-multipoint access point and sectors",
            "access site",
            (800, 1_500, 3_000),
        ),
        _item("radio_tvws", "TV white space base station", "access site", (3_000, 6_000, 10_000)),
        _item("radio_lora-915", "LoRaWAN gateway", "access site", (300, 800, 1_500)),
        _item(
            "operator_fee",
            "Licensed band: fee to the licensee (RAN sharing, neutral host)",
            "access site",
            opex=(1_000, 3_000, 6_000),
        ),
        # --- power ---------------------------------------------------------------------
        _item(
            "solar_pv",
            "Off-grid solar array, mounting and charge controller",
            "W peak",
            (1.0, 1.5, 2.5),
        ),
        _item(
            "battery",
            "LiFePO4 battery bank, replaced about every 10 years",
            "kWh",
            (250, 400, 600),
            (25, 40, 60),
        ),
        _item(
            "grid_connection",
            "Mains connection: service drop, meter, protection, UPS",
            "site",
            (1_000, 2_000, 5_000),
        ),
        _item(
            "grid_energy",
            "Mains energy (about 800 COP/kWh)",
            "kWh a year",
            opex=(0.15, 0.20, 0.25),
            source="ASSUMPTION: order of EPM's non-residential tariff; check the current one",
        ),
        # --- backhaul ------------------------------------------------------------------
        _item(
            "ptp_radio_end", "5 GHz point-to-point radio and dish", "link end", (600, 1_500, 3_000)
        ),
        _item("link_installation", "Link installation and alignment", "link", (500, 1_000, 2_000)),
        _item(
            "pop_equipment",
            "Point of presence: router, switch, fibre hand-off, housing",
            "plan",
            (2_000, 5_000, 10_000),
            (500, 1_000, 2_000),
        ),
        _item(
            "ip_transit",
            "IP transit at the PoP, per busy-hour Mbps",
            "Mbps",
            opex=(12, 24, 60),
            source="ASSUMPTION: 1-5 USD per Mbps a month, wholesale order of magnitude",
        ),
        _item(
            "core_network",
            "Cellular core: hosted EPC, SIMs, network management",
            "plan",
            (5_000, 10_000, 25_000),
            (2_000, 4_000, 8_000),
        ),
        # --- satellite ---------------------------------------------------------------------
        _item(
            "satellite_kit",
            "LEO satellite kit (dish and router)",
            "household",
            (0, 340, 600),
            source=(
                f"{SOURCES['esquire2025']} (central, at {COP_PER_USD:,.0f} COP/USD); "
                f"{SOURCES['semana2025']} (low); high ASSUMPTION"
            ),
        ),
        _item(
            "satellite_installation",
            "Satellite kit installation and mount",
            "household",
            (50, 100, 200),
        ),
        _item(
            "satellite_fee",
            "Satellite residential service fee",
            "household",
            opex=(450, 540, 750),
            source=(
                f"{SOURCES['esquire2025']}: 37-62 USD a month; central 45 USD a month. "
                "ASSUMPTION: the programme pays the fee"
            ),
        ),
        # --- public Wi-Fi hotspot at a school, fed by the host's CPE --------------------
        _item(
            "hotspot_ap",
            "Outdoor Wi-Fi access point (weatherproof, with mount)",
            "hotspot",
            (300, 600, 1_200),
        ),
        _item(
            "hotspot_backhaul",
            "Feed from the host CPE: PoE switch, outdoor cable, surge protection",
            "hotspot",
            (80, 200, 400),
        ),
        _item(
            "hotspot_installation",
            "Hotspot installation and captive portal",
            "hotspot",
            (200, 500, 1_000),
        ),
        _item(
            "hotspot_power",
            "Hotspot's share of the host's power (about 25 W around the clock)",
            "hotspot",
            opex=(30, 60, 120),
        ),
        _item(
            "hotspot_maintenance", "Hotspot maintenance and support", "hotspot", opex=(60, 120, 250)
        ),
        _item(
            "hotspot_internet",
            "Hotspot's internet share (about 9 Mbps of IP transit)",
            "hotspot",
            opex=(120, 300, 600),
            source=(f"ASSUMPTION on price; rate after {SOURCES['zonasrurales2019']}"),
        ),
    )
}
