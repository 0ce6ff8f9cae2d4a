"""``{{convert}}`` as Wikipedia renders it by default, for the common units of news text.

Rounding follows Module:Convert's default: the output keeps the input's precision, shifted by
``floor(log10(in/out) + log10(2))``, and is given at least two significant figures.
"""

from __future__ import annotations

import math
import re

# code -> (kind, size of one unit in the kind's base unit, singular, plural, symbol)
UNITS: dict[str, tuple[str, float, str, str, str]] = {
    "km": ("length", 1000.0, "kilometre", "kilometres", "km"),
    "m": ("length", 1.0, "metre", "metres", "m"),
    "cm": ("length", 0.01, "centimetre", "centimetres", "cm"),
    "mm": ("length", 0.001, "millimetre", "millimetres", "mm"),
    "mi": ("length", 1609.344, "mile", "miles", "mi"),
    "yd": ("length", 0.9144, "yard", "yards", "yd"),
    "ft": ("length", 0.3048, "foot", "feet", "ft"),
    "in": ("length", 0.0254, "inch", "inches", "in"),
    "nmi": ("length", 1852.0, "nautical mile", "nautical miles", "nmi"),
    "sqkm": ("area", 1e6, "square kilometre", "square kilometres", "km²"),
    "sqm": ("area", 1.0, "square metre", "square metres", "m²"),
    "sqmi": ("area", 2589988.110336, "square mile", "square miles", "sq mi"),
    "sqft": ("area", 0.09290304, "square foot", "square feet", "sq ft"),
    "ha": ("area", 1e4, "hectare", "hectares", "ha"),
    "acre": ("area", 4046.8564224, "acre", "acres", "acres"),
    "kg": ("mass", 1.0, "kilogram", "kilograms", "kg"),
    "g": ("mass", 0.001, "gram", "grams", "g"),
    "lb": ("mass", 0.45359237, "pound", "pounds", "lb"),
    "oz": ("mass", 0.028349523125, "ounce", "ounces", "oz"),
    "t": ("mass", 1000.0, "tonne", "tonnes", "t"),
    "ST": ("mass", 907.18474, "short ton", "short tons", "short tons"),
    "LT": ("mass", 1016.0469088, "long ton", "long tons", "long tons"),
    "C": ("temperature", 1.0, "degree Celsius", "degrees Celsius", "°C"),
    "F": ("temperature", 5 / 9, "degree Fahrenheit", "degrees Fahrenheit", "°F"),
    "K": ("temperature", 1.0, "kelvin", "kelvins", "K"),
    "km/h": ("speed", 1 / 3.6, "kilometre per hour", "kilometres per hour", "km/h"),
    "mph": ("speed", 0.44704, "mile per hour", "miles per hour", "mph"),
    "kn": ("speed", 1852 / 3600, "knot", "knots", "kn"),
    "m/s": ("speed", 1.0, "metre per second", "metres per second", "m/s"),
    "L": ("volume", 0.001, "litre", "litres", "L"),
    "m3": ("volume", 1.0, "cubic metre", "cubic metres", "m³"),
    "cuft": ("volume", 0.028316846592, "cubic foot", "cubic feet", "cu ft"),
    "USgal": ("volume", 0.003785411784, "US gallon", "US gallons", "US gal"),
    "impgal": ("volume", 0.00454609, "imperial gallon", "imperial gallons", "imp gal"),
}
ALIASES = {
    "km2": "sqkm", "m2": "sqm", "sqyd": "sqm", "hectare": "ha", "acres": "acre", "kph": "km/h",
    "kmh": "km/h", "knot": "kn", "kt": "kn", "l": "L", "tonne": "t", "tonnes": "t", "°C": "C",
    "°F": "F", "degC": "C", "degF": "F", "usgal": "USgal", "USgallon": "USgal", "m³": "m3",
    "km²": "sqkm", "m²": "sqm", "foot": "ft", "feet": "ft", "mile": "mi", "miles": "mi",
    "metre": "m", "meter": "m", "kilometre": "km", "kilometer": "km", "inch": "in", "pound": "lb",
    "kilogram": "kg", "ton": "ST",
}
# default output unit(s) when none is given
DEFAULT_OUT = {
    "km": "mi", "m": "ft", "cm": "in", "mm": "in", "mi": "km", "yd": "m", "ft": "m", "in": "cm",
    "nmi": "km mi", "sqkm": "sqmi", "sqm": "sqft", "sqmi": "sqkm", "sqft": "sqm", "ha": "acre",
    "acre": "ha", "kg": "lb", "g": "oz", "lb": "kg", "oz": "g", "t": "LT ST", "ST": "t", "LT": "t",
    "C": "F", "F": "C", "K": "C", "km/h": "mph", "mph": "km/h", "kn": "km/h mph", "m/s": "km/h mph",
    "L": "impgal USgal", "m3": "cuft", "USgal": "L impgal", "impgal": "L USgal",
}
RANGE_WORDS = {"to": " to ", "and": " and ", "or": " or ", "-": "–", "–": "–", "to(-)": " to ",
               "x": " × ", "by": " by ", "+/-": " ± ", "and(-)": " and "}
SUPERSCRIPT_DIGITS = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
_NUMBER_RE = re.compile(r"^[+\-−]?(\d[\d,]*)?(\.\d+)?$")


def unit_code(text: str) -> str | None:
    """The UNITS key for a unit as written in {{convert}}, or None if unknown."""
    text = text.strip()
    if text in UNITS:
        return text
    return ALIASES.get(text)


def parse_number(text: str) -> float | None:
    """The value of a convert number (commas allowed, Unicode minus allowed), None if not a number."""
    text = text.strip().replace("&minus;", "−")
    if not text or not _NUMBER_RE.match(text) or not re.search(r"\d", text):
        return None
    return float(text.replace(",", "").replace("−", "-"))


def input_precision(text: str) -> int:
    """Decimal places of a written number; trailing zeros of an integer count negatively."""
    text = text.strip().replace(",", "")
    if "." in text:
        return len(text.split(".", 1)[1])
    digits = text.lstrip("+-−")
    if set(digits) <= {"0"}:
        return 0
    return -(len(digits) - len(digits.rstrip("0")))


def format_number(value: float, precision: int) -> str:
    """Round half away from zero to ``precision`` decimals; thousands separated by commas."""
    scaled = math.floor(abs(value) * 10 ** precision + 0.5)
    rounded = scaled / 10 ** precision
    if precision > 0:
        body = f"{rounded:,.{precision}f}"
    else:
        body = f"{int(round(rounded)):,}"
    return ("−" + body) if value < 0 and scaled != 0 else body


def format_input(text: str) -> str:
    """A written input number with thousands separators added, decimals kept as written."""
    text = text.strip().replace(",", "")
    sign = "−" if text[:1] in "-−" else ""
    text = text.lstrip("+-−")
    whole, dot, frac = text.partition(".")
    whole = f"{int(whole):,}" if whole else "0"
    return sign + whole + (dot + frac)


def _convert_value(value: float, src: str, dst: str) -> float:
    """``value`` in unit ``src`` expressed in unit ``dst`` (same kind)."""
    kind, size_in = UNITS[src][0], UNITS[src][1]
    size_out = UNITS[dst][1]
    if kind == "temperature":
        kelvin = {"C": value + 273.15, "F": (value + 459.67) * 5 / 9, "K": value}[src]
        return {"C": kelvin - 273.15, "F": kelvin * 9 / 5 - 459.67, "K": kelvin}[dst]
    return value * size_in / size_out


def _precision(written: list[str], outs: list[float], src: str, dst: str) -> int:
    """Module:Convert's default output precision."""
    precision = max(input_precision(w) for w in written)
    ratio = UNITS[dst][1] / UNITS[src][1]  # input value / output value
    precision += math.floor(math.log10(ratio) + math.log10(2) + 1e-12)
    smallest = min((abs(v) for v in outs if v), default=0)
    if smallest:
        precision = max(precision, 1 - math.floor(math.log10(smallest) + 1e-12))
    return precision


def _unit_text(code: str, written_value: str, as_symbol: bool, us_spelling: bool) -> str:
    _kind, _size, singular, plural, symbol = UNITS[code]
    if as_symbol:
        return symbol
    name = singular if written_value.lstrip("−-") == "1" else plural
    if us_spelling:
        name = name.replace("metre", "meter").replace("litre", "liter")
    return name


def render_convert(args: list[str], named: dict[str, str], abbr_default: str = "out") -> str:
    """Render ``{{convert|...}}`` (positional ``args``, ``named`` options) to plain wikitext."""
    args = [a.strip() for a in args]
    if not args:
        return ""
    values, seps, i = [args[0]], [], 1
    while i + 1 < len(args) and args[i] in RANGE_WORDS:
        seps.append(RANGE_WORDS[args[i]])
        values.append(args[i + 1])
        i += 2
    unit_written = args[i] if i < len(args) else ""
    numbers = [parse_number(v) for v in values]
    src = unit_code(unit_written)

    def join(parts: list[str]) -> str:
        out = parts[0]
        for sep, part in zip(seps, parts[1:]):
            out += sep + part
        return out

    if src is None or any(n is None for n in numbers):
        return (join(values) + " " + unit_written).strip()
    out_spec = args[i + 1] if i + 1 < len(args) and args[i + 1] else DEFAULT_OUT.get(src, "")
    explicit_precision = args[i + 2] if i + 2 < len(args) else ""
    dsts = [unit_code(c) for c in out_spec.split()] if out_spec else []
    if (not dsts or None in dsts) and unit_code(out_spec):
        dsts = [unit_code(out_spec)]
    dsts = [d for d in dsts if d and d != src and UNITS[d][0] == UNITS[src][0]]

    abbr = named.get("abbr", "").strip().lower() or abbr_default
    if UNITS[src][0] == "temperature" and "abbr" not in named:
        abbr = "on"
    us = named.get("sp", "").strip().lower() == "us"
    adj = named.get("adj", "").strip().lower() in ("on", "yes", "y")
    disp = named.get("disp", "").strip().lower()
    in_symbol = abbr in ("on", "in", "values")
    out_symbol = abbr in ("on", "out", "values")
    if disp == "flip":
        in_symbol, out_symbol = out_symbol, in_symbol

    def side(written: list[str], code: str, symbol: bool) -> str:
        number = join(written)
        if abbr == "values":
            return number
        unit = _unit_text(code, written[-1], symbol, us)
        if adj and not symbol:
            return f"{number}-{UNITS[code][2]}"
        return f"{number} {unit}"

    in_part = side([format_input(v) for v in values], src, in_symbol)
    out_parts = []
    for dst in dsts:
        converted = [_convert_value(n, src, dst) for n in numbers]
        if re.fullmatch(r"-?\d+", explicit_precision):
            precision = int(explicit_precision)
        elif re.fullmatch(r"\d+", named.get("sigfig", "").strip()):
            top = max(abs(v) for v in converted) or 1
            precision = int(named["sigfig"]) - 1 - math.floor(math.log10(top))
        else:
            precision = _precision(values, converted, src, dst)
        written = [format_number(v, precision) for v in converted]
        out_parts.append(side(written, dst, out_symbol))
    if not out_parts:
        return in_part
    out_text = "; ".join(out_parts)
    if disp == "flip":
        in_part, out_text = out_text, in_part
    if disp in ("out", "output only"):
        return out_text
    if disp == "output number only":
        return re.sub(r"\s.*$", "", out_text)
    if disp == "or":
        return f"{in_part} or {out_text}"
    if disp == "comma":
        return f"{in_part}, {out_text}"
    if disp == "slash":
        return f"{in_part}/{out_text}"
    if disp == "sqbr":
        return f"{in_part} [{out_text}]"
    return f"{in_part} ({out_text})"
