"""The webhook settings of handlers.settings: read from ANJU_* variables, checked together."""

from __future__ import annotations

import pytest

from handlers.settings import Secret, Settings, SettingsError

KEY = "Zq3xW8mN2pL5vB7cR9tY1uI4oP6aS0dF3gH5jK8lQ2e"


def test_webhook_settings_are_read_and_secrets_stay_hidden() -> None:
    settings = Settings.from_env(
        {
            "ANJU_WECHAT_TOKEN": "Tq81xW0zTokenValue",
            "ANJU_WECHAT_AES_KEY": KEY,
            "ANJU_WECHAT_APPID": "wx1",
            "ANJU_WECOM_AGENTID": "1000002",
            "ANJU_ANSWER_BUDGET_SECONDS": "3.5",
            "ANJU_ANSWER_THREADS": "0",
            "ANJU_RECORDS_SYNCHRONOUS": "normal",
        }
    )
    assert settings.wechat_token == Secret("Tq81xW0zTokenValue")
    assert settings.wechat_aes_key == Secret(KEY)
    assert (settings.wecom_agentid, settings.answer_budget_seconds) == (1000002, 3.5)
    assert (settings.answer_threads, settings.records_synchronous) == (0, "normal")
    assert "Tq81xW0zTokenValue" not in repr(settings) and KEY not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ANJU_WECHAT_AES_KEY": KEY[:42], "ANJU_WECHAT_APPID": "wx1"}, "43 letters"),
        ({"ANJU_WECHAT_AES_KEY": KEY}, "needs ANJU_WECHAT_APPID"),
        ({"ANJU_WECOM_TOKEN": "t", "ANJU_WECOM_CORPID": "ww1"}, "needs ANJU_WECOM_AES_KEY"),
        ({"ANJU_WECOM_TOKEN": "t", "ANJU_WECOM_AES_KEY": KEY}, "needs ANJU_WECOM_CORPID"),
        ({"ANJU_ANSWER_BUDGET_SECONDS": "5"}, "ANJU_ANSWER_BUDGET_SECONDS"),
        ({"ANJU_ANSWER_BUDGET_SECONDS": "0"}, "ANJU_ANSWER_BUDGET_SECONDS"),
        ({"ANJU_ANSWER_THREADS": "-1"}, "ANJU_ANSWER_THREADS"),
        ({"ANJU_TIMESTAMP_WINDOW_SECONDS": "-1"}, "ANJU_TIMESTAMP_WINDOW_SECONDS"),
        ({"ANJU_MAX_BODY_BYTES": "100"}, "ANJU_MAX_BODY_BYTES"),
        ({"ANJU_RATE_LIMIT_BURST": "0"}, "rate limits"),
        ({"ANJU_RECORDS_SYNCHRONOUS": "off"}, "full or normal"),
        ({"ANJU_WECOM_AGENTID": "app"}, "ANJU_WECOM_AGENTID"),
    ],
)
def test_unusable_webhook_settings_are_refused_by_name(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)
