import pytest
from django.core.exceptions import ValidationError

from zhaoshang.enterprises.creditcode import check_character, make_credit_code, validate_credit_code

# Real-format codes: an enterprise (9…), a public institution (1…), and the A/N/Y
# registration authorities that python-stdnum wrongly rejects.
VALID = [
    "91350100M000100Y43",
    "91110000600037341L",
    "911100001000044477",
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert validate_credit_code(code) == code


@pytest.mark.parametrize("prefix", ["A", "N", "Y", "1", "5", "9"])
def test_every_registration_authority_is_accepted(prefix):
    code = make_credit_code(prefix + "1510100MA6CBC123")
    assert validate_credit_code(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_check_character_matches_the_standard_formula():
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91350100M000100Y4"
    total = sum(charset.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    assert check_character(body) == charset[(31 - total % 31) % 31] == "3"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100I43", "cannot appear"),
        ("B1350100M000100Y43", "registration authority"),
        ("01350100M000100Y43", "registration authority"),
    ],
)
def test_bad_codes_are_rejected_with_the_reason(code, reason, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert reason in str(exc.value)


def test_wrong_check_character_names_the_expected_one():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100M000100Y44")
    assert "should be 3" in str(exc.value)
