"""Countries and customs territories as ISO 3166-1 alpha-2 codes, through pycountry."""

from __future__ import annotations

import pycountry

from tradelex.errors import UnknownCountryError


def normalise_country(text: str, field: str = "origin") -> str:
    """'cn', 'CHN', 'China' → 'CN'; anything else is an error that names the field."""
    if not isinstance(text, str) or not text.strip():
        raise UnknownCountryError(field, f"expected an ISO 3166 country code such as CN or US, got {text!r}")
    try:
        return str(pycountry.countries.lookup(text.strip()).alpha_2)
    except LookupError:
        pass
    try:
        matches = pycountry.countries.search_fuzzy(text.strip())
    except LookupError:
        matches = []
    hint = f"; did you mean {', '.join(m.alpha_2 for m in matches[:3])}?" if matches else ""
    raise UnknownCountryError(field, f"{text!r} is not an ISO 3166 country{hint}") from None


def country_name(alpha_2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha_2)
    return str(country.name) if country else alpha_2
