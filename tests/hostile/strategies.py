"""Hypothesis strategies for hostile and valid input: JSON of any shape, nasty text, real tips."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = (
    SCRIPT,
    IMG,
    "'; DROP TABLE tips; --",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "\u202e",
    "\ufeff",
)

# Text that mixes every kind of character a hostile caller might send: controls, lone
# surrogates, combining marks, right-to-left overrides, markup and very long runs.
nasty_text = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.sampled_from(PAYLOADS),
    st.builds(
        lambda a, p, b: f"{a}{p}{b}",
        st.text(max_size=20),
        st.sampled_from(PAYLOADS),
        st.text(max_size=20),
    ),
    st.text(st.sampled_from("\x00\x07\x0b\x1b\x7f\x85\u2028\ud800\udfff\r\n\t "), max_size=20),
    st.integers(min_value=0, max_value=6000).map(lambda n: "x" * n),
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    nasty_text,
)

json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(nasty_text, children, max_size=6)
    ),
    max_leaves=20,
)


def shaped(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with a model's own field names (each value any JSON, or a likely one) plus strays."""
    optional = {name: st.one_of(json_values, likely) for name, likely in fields.items()}
    strays = st.dictionaries(nasty_text, json_values, max_size=2)
    return st.builds(
        lambda base, extra, add: {**extra, **base} if add else base,
        st.fixed_dictionaries({}, optional=optional),
        strays,
        st.booleans(),
    )


POSTCODES = ("CB4 2JQ", "cb12ab", "CB1 2", "CB1", "cb5 8bq", "SW1A 1AA", "CB12AB")
PHONES = ("07700 900123", "+44 7700 900456", "01223 123456", "(01223) 358966", "+33 1 23 45 67 89")
REGISTRATIONS = ("AB12 CDE", "ab12cde", "Y123 ABC", "K1")

location_like = st.fixed_dictionaries(
    {},
    optional={
        "text": nasty_text,
        "postcode": st.one_of(st.sampled_from(POSTCODES), nasty_text),
        "lat": st.one_of(st.floats(), st.floats(min_value=-90, max_value=90)),
        "lon": st.one_of(st.floats(), st.floats(min_value=-180, max_value=180)),
    },
)
vehicle_like = st.fixed_dictionaries(
    {},
    optional={
        "registration": st.one_of(st.sampled_from(REGISTRATIONS), nasty_text),
        "make": nasty_text,
        "model": nasty_text,
        "colour": nasty_text,
    },
)
reporter_like = st.fixed_dictionaries(
    {},
    optional={
        "anonymous": st.booleans(),
        "name": nasty_text,
        "phone": st.one_of(st.sampled_from(PHONES), nasty_text),
        "email": st.one_of(st.just("sam@example.org"), nasty_text),
    },
)
submission_like = shaped(
    {
        "description": nasty_text,
        "location": location_like,
        "observed_at": st.one_of(
            st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()), nasty_text
        ),
        "happening_now": st.booleans(),
        "when_text": nasty_text,
        "people": nasty_text,
        "vehicles": st.lists(vehicle_like, max_size=12),
        "phone_numbers": st.lists(st.one_of(st.sampled_from(PHONES), nasty_text), max_size=12),
        "reporter": reporter_like,
        "call_id": nasty_text,
    }
)

# Valid submissions: readable text of the right lengths and identifiers that normalise.
words = st.text(
    st.characters(categories=["L", "N", "Zs", "P"], exclude_characters="\x85\xa0"),
    min_size=1,
    max_size=80,
)
description = st.builds(lambda w: f"Seen dealing {w}".strip(), words).filter(
    lambda t: 10 <= len(t.strip()) <= 5000
)
valid_location = st.one_of(
    st.fixed_dictionaries({"postcode": st.sampled_from(POSTCODES)}),
    st.fixed_dictionaries(
        {"text": st.sampled_from(["Jesus Green", "Mill Road by the Co-op", SCRIPT])}
    ),
    st.fixed_dictionaries(
        {
            "lat": st.floats(min_value=-90, max_value=90),
            "lon": st.floats(min_value=-180, max_value=180),
        }
    ),
)
valid_reporter = st.one_of(
    st.just({}),
    st.just({"anonymous": True}),
    st.fixed_dictionaries(
        {"anonymous": st.just(False)},
        optional={
            "name": st.sampled_from(["Sam", IMG, "Zoë O'Brien"]),
            "phone": st.sampled_from(PHONES),
            "email": st.just("sam@example.org"),
        },
    ),
)
valid_submission = st.fixed_dictionaries(
    {"description": description, "location": valid_location},
    optional={
        "happening_now": st.booleans(),
        "when_text": st.sampled_from(["every evening 7-10pm", SCRIPT, "most Fridays"]),
        "people": words,
        "vehicles": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "registration": st.sampled_from(REGISTRATIONS),
                    "colour": st.just("silver"),
                },
            ),
            max_size=10,
        ),
        "phone_numbers": st.lists(st.sampled_from(PHONES), max_size=10),
        "reporter": valid_reporter,
        "call_id": st.sampled_from(["call-1", "IVR 2024/77"]),
    },
)
