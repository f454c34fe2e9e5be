"""The dossier's page says which rule set applies and why, in Vietnamese: the rules before
01/10/2026 for a dossier received on 30/09/2026, the new ones for one received on 01/10/2026."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.integration.test_dossier import bloc, local
from tests.integration.test_dossier__receipt import submitted_at
from tests.web.conftest import AuthActions
from tests.year_support import Bloc

__all__ = ["bloc"]  # the integration tests' bloc at year end, with its council


@pytest.mark.parametrize(("day", "said"), [
    ("2026-09-30", "Áp dụng quy định trước 01/10/2026 vì hồ sơ nhận ngày 30/09/2026."),
    ("2026-10-01", "Áp dụng quy định từ 01/10/2026 vì hồ sơ nhận ngày 01/10/2026."),
])
def test_the_dossier_page_says_which_rules_apply_and_why(
    bloc: Bloc, client: FlaskClient, auth: AuthActions, tmp_path: Path, day: str, said: str
) -> None:
    submitted_at(bloc, tmp_path, local(day))
    [dossier] = [d for d in bloc.wf.children(bloc.refresh().id) if d.workflow == "dossier"]
    auth.login("btp_head")

    text = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)

    assert "Quy định áp dụng" in text
    assert said in text
    if day == "2026-10-01":
        assert "sửa đổi bởi Luật 06/2026/QH16" in text
    else:
        assert "Quy định thi đua, khen thưởng theo Luật 06/2022/QH15" in text
