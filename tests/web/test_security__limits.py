"""Limits on sign-in failures and anonymous objections are kept in the database: two apps on one
database (two processes) share them, a burst of parallel requests cannot race past them, and
the client's address comes from X-Forwarded-For only behind trusted proxies."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.conftest import PASSWORD, csrf
from tests.web.test_web__year import open_vote
from tests.year_support import MEMBERS, Bloc
from web import create_app
from workflow.adapters.tables import objections
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.engine.instance import Instance
from workflow.services import dossiers, people, voting

FLAG = "co_thi_dua_chinh_phu"
USER = "bca_head"
TOO_MANY_SIGN_INS = "Đăng nhập sai quá nhiều lần"
TOO_MANY_OBJECTIONS = "Bạn đã gửi quá nhiều phản ánh"


def with_settings(services: Services, **sections: dict[str, Any]) -> Services:
    """The services with some settings changed (the same database and engine)."""
    return dataclasses.replace(services, settings=services.settings.replace(**sections))


@pytest.fixture
def other(services: Services, clock: FakeClock) -> Iterator[Services]:
    """A second process on the same database: its own engine, nothing in memory shared."""
    second = bootstrap(services.settings, clock=clock)
    yield second
    second.engine.dispose()


@pytest.fixture
def two_apps(app: Flask, other: Services) -> tuple[Flask, Flask]:
    return app, create_app(services=other, testing=True)


@pytest.fixture
def with_password(bloc: Bloc) -> Bloc:
    people.set_password(bloc.services.uow(), bloc.users[USER], PASSWORD)
    return bloc


def sign_in(client: FlaskClient, password: str, username: str = USER,
            address: str | None = None) -> TestResponse:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/login", headers=headers, data={
        "username": username, "password": password, "csrf_token": csrf(client)})


def test_failures_in_one_process_count_in_the_other(
        two_apps: tuple[Flask, Flask], with_password: Bloc) -> None:
    first, second = (a.test_client() for a in two_apps)

    codes = [sign_in(first, "sai").status_code for _ in range(3)]
    codes += [sign_in(second, "sai").status_code for _ in range(2)]
    refused = sign_in(first, "sai")

    assert codes == [401] * 5
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(15 * 60)
    html = refused.get_data(as_text=True)
    assert f"{TOO_MANY_SIGN_INS}; vui lòng đợi 15 phút rồi thử lại." in html
    assert f'value="{USER}"' in html  # what was typed stays in the form
    assert sign_in(second, PASSWORD).status_code == 429  # the right password too


def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(
        two_apps: tuple[Flask, Flask], with_password: Bloc) -> None:
    workers = 30
    clients = [two_apps[i % 2].test_client() for i in range(workers)]
    tokens = [csrf(c) for c in clients]
    barrier = threading.Barrier(workers)
    codes: list[int] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        barrier.wait()
        answer = clients[i].post("/login", data={
            "username": USER, "password": f"sai-{i}", "csrf_token": tokens[i]})
        with lock:
            codes.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(codes) == [401] * 5 + [429] * (workers - 5)
    assert sign_in(clients[0], PASSWORD).status_code == 429


def test_signing_in_clears_the_failures_from_that_address(
        client: FlaskClient, with_password: Bloc, clock: FakeClock) -> None:
    assert [sign_in(client, "sai").status_code for _ in range(4)] == [401] * 4
    assert sign_in(client, PASSWORD).status_code == 302

    codes = [sign_in(client, "sai").status_code for _ in range(6)]

    assert codes == [401] * 5 + [429]
    clock.advance(minutes=15)  # the window has ended: a new one begins
    assert sign_in(client, PASSWORD).status_code == 302


def test_guesses_from_many_addresses_are_bounded_per_username(
        services: Services, with_password: Bloc) -> None:
    behind_proxy = with_settings(services, app={"trusted_proxies": 1},
                                 limits={"login_per_user": 8})
    client = create_app(services=behind_proxy, testing=True).test_client()

    codes = [sign_in(client, "sai", address=f"203.0.113.{i}").status_code for i in range(9)]

    assert codes == [401] * 8 + [429]
    assert sign_in(client, PASSWORD, address="198.51.100.7").status_code == 429
    assert sign_in(client, "sai", username="bca_officer").status_code == 401  # others may


def test_x_forwarded_for_is_read_only_behind_trusted_proxies(
        services: Services, with_password: Bloc) -> None:
    direct = create_app(services=services, testing=True).test_client()
    behind_proxy = create_app(services=with_settings(
        services, app={"trusted_proxies": 1}),
        testing=True).test_client()

    # Not trusted: the header is ignored, so changing it does not give more tries.
    direct_codes = [sign_in(direct, "sai", username="bca_officer",
                            address=f"203.0.113.{i}").status_code for i in range(6)]
    # Trusted: each client address has its own count.
    proxied = [sign_in(behind_proxy, "sai", address="203.0.113.1").status_code
               for _ in range(6)]
    elsewhere = sign_in(behind_proxy, "sai", address="203.0.113.2")

    assert direct_codes == [401] * 5 + [429]
    assert proxied == [401] * 5 + [429]
    assert elsewhere.status_code == 401


def test_untrusted_proxy_settings_stop_the_app_at_start(services: Services) -> None:
    from workflow.errors import InvalidInput

    bad = with_settings(services, app={"trusted_proxies": -1})
    with pytest.raises(InvalidInput, match="app.trusted_proxies"):
        create_app(services=bad, testing=True)
    with pytest.raises(InvalidInput, match="limits.objections_per_address"):
        create_app(services=with_settings(services, limits={"objections_per_address": "x"}),
                   testing=True)


# --- objections --------------------------------------------------------------------------------


def posted_dossier(bloc: Bloc) -> Instance:
    session = open_vote(bloc, ("bca",))
    for code, _name in MEMBERS:
        voting.cast_ballot(bloc.wf, session.id, bloc.head(code),
                           {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    bloc.wf.fire(session, "close", bloc.leader)
    folder = bloc.services.settings.documents_dir
    voting.draw_up_minutes(bloc.wf, session.id, bloc.leader, folder, [("Trần Văn B", "Thư ký")])
    bloc.wf.fire(session.id, "lock", bloc.leader)
    [dossier] = dossiers.open_dossiers(bloc.wf, session.id, bloc.leader, folder)
    posted: Instance = bloc.wf.fire(dossier, "post", bloc.leader).instance
    return posted


def object_to(client: FlaskClient, dossier_id: int, text: str,
              contact: str = "") -> TestResponse:
    return client.post(f"/public/dossiers/{dossier_id}/objections", data={
        "csrf_token": csrf(client, "/public"), "text": text, "contact": contact})


def test_objections_from_one_address_are_limited_in_every_process(
        two_apps: tuple[Flask, Flask], bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)
    first, second = (a.test_client() for a in two_apps)

    sent = [object_to((first, second)[i % 2], dossier.id, f"Ý kiến {i}").status_code
            for i in range(5)]
    refused = object_to(second, dossier.id, "Đề nghị làm rõ số liệu", "dan@example.vn")

    assert sent == [302] * 5
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(60 * 60)
    html = refused.get_data(as_text=True)
    assert f"{TOO_MANY_OBJECTIONS}; vui lòng đợi 60 phút rồi gửi lại." in html
    assert ">Đề nghị làm rõ số liệu</textarea>" in html  # kept as typed
    assert 'value="dan@example.vn"' in html
    with bloc.services.engine.connect() as conn:
        filed = conn.execute(sa.select(sa.func.count()).select_from(objections)).scalar()
    assert filed == 5
    bloc.clock.advance(hours=1)
    assert object_to(first, dossier.id, "Sau một giờ").status_code == 302


def test_objections_are_limited_per_address_across_dossiers(
        services: Services, bloc: Bloc) -> None:
    dossier = posted_dossier(bloc)
    strict = with_settings(services, limits={"objections_per_address": 3})
    client = create_app(services=strict, testing=True).test_client()

    nowhere = object_to(client, 999999, "Hồ sơ không có")  # refused: it does not count
    sent = [object_to(client, dossier.id, f"Ý kiến {i}").status_code for i in range(3)]
    refused = object_to(client, dossier.id, "Một ý kiến nữa")

    assert nowhere.status_code == 302
    assert sent == [302] * 3
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(24 * 60 * 60)
    assert "vui lòng đợi 1440 phút" in refused.get_data(as_text=True)
