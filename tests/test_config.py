"""Settings from the environment and the TOML file; bad config names the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from balance_tui.config import ConfigError, load_settings


def test_defaults_are_the_design_table(tmp_path) -> None:
    settings = load_settings(env={}, path=None)
    gold = settings.rulebook.rules_for("gold")
    assert (gold.min_balance, gold.daily_change_limit) == (Decimal(-15000), Decimal(150000))
    assert settings.significant_drop_share == Decimal("0.25")


def test_environment_overrides(tmp_path) -> None:
    settings = load_settings(
        env={
            "BALANCE_MIN_DEFAULT": "-5000",
            "BALANCE_MAX_DEFAULT": "500000",
            "BALANCE_WARNING_THRESHOLD": "2000",
            "BALANCE_CRITICAL_THRESHOLD": "250",
            "BALANCE_TUI_OPERATOR": "ada",
        }
    )
    bronze, gold = settings.rulebook.rules_for("bronze"), settings.rulebook.rules_for("gold")
    assert (bronze.min_balance, bronze.max_balance) == (Decimal(-5000), Decimal(500000))
    assert gold.min_balance == Decimal(-15000)  # higher tiers keep their own limits
    assert (gold.warning_threshold, gold.critical_threshold) == (Decimal(2000), Decimal(250))
    assert settings.operator_name() == "ada"


def test_config_file_overrides_tiers_and_settings(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'operator = "bo"\nsignificant_drop_percent = 40\n'
        "[tiers.Gold]\ndaily_change_limit = 200000\n"
        '[keys]\n"customers.adjust" = "ctrl+a"\n'
    )
    settings = load_settings(env={}, path=path)
    gold = settings.rulebook.rules_for("gold")
    assert gold.daily_change_limit == Decimal(200000) and gold.min_balance == Decimal(-15000)
    assert gold.weekly_change_limit == Decimal(800000)  # 4 x daily, as the design table
    assert settings.significant_drop_share == Decimal("0.4")
    assert settings.operator == "bo" and settings.keymap == {"customers.adjust": "ctrl+a"}
    assert load_settings(env={"BALANCE_TUI_OPERATOR": "env"}, path=path).operator == "env"


def test_a_weekly_limit_given_with_the_daily_one_is_kept(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[tiers.gold]\ndaily_change_limit = 200000\nweekly_change_limit = 500000\n")
    gold = load_settings(env={}, path=path).rulebook.rules_for("gold")
    assert (gold.daily_change_limit, gold.weekly_change_limit) == (200000, 500000)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[tiers.gold]\ndaily_limit = 5\n", "tiers.gold.daily_limit"),
        ("[tiers.iron]\nmin_balance = 5\n", "tiers.iron"),
        ("[tiers.gold]\nmin_balance = 'lots'\n", "tiers.gold.min_balance"),
        ("[tiers.gold]\nmin_balance = 0.001\n", "tiers.gold.min_balance"),
        ("[tiers.gold]\nmin_balance = 9999999\n", "tiers.gold"),
        ("significant_drop_percent = 0\n", "significant_drop_percent"),
        ("colour = 'red'\n", "colour"),
        ("operator = [1]\n", "operator"),
        ("not toml at all ===\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, named) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(env={}, path=path)


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="BALANCE_WARNING_THRESHOLD"):
        load_settings(env={"BALANCE_WARNING_THRESHOLD": "lots"})


def test_missing_explicit_config_file_is_an_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(env={"BALANCE_TUI_CONFIG": str(tmp_path / "nope.toml")})


def test_the_theme_is_kept_as_a_top_level_setting_and_nothing_else_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The chosen theme is written as the file's own top-level key, above its tables; a
    key named theme inside a table (a [keys] binding) and the comments stay as they were."""
    import tomllib

    from balance_tui.config import save_theme

    path = tmp_path / "config.toml"
    text = '# mine\noperator = "ann"\n\n[keys]\ntheme = "t"  # a binding\n'
    path.write_text(text, encoding="utf-8")
    save_theme(path, "nord")
    save_theme(path, "dracula")
    written = path.read_text(encoding="utf-8")
    data = tomllib.loads(written)
    assert data["theme"] == "dracula" and data["keys"] == {"theme": "t"}
    assert "# mine" in written and "# a binding" in written
