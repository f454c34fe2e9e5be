"""Who may reach what: every route of the app (pages and API) against every kind of user, the
expected answer written down as a table and each cell checked with a real request.

The data is built once per module on SQLite (the permission decisions do not depend on the
database) and kept as snapshots taken at three points of the year: every cell starts from the
snapshot its route needs, so a request that changes something never affects the next cell.

A cell's answer is one of:
  ok       2xx or 3xx; for a route that writes, something was written
  refused  2xx or 3xx, but nothing was written: the page said no (a flashed reason)
  login    a redirect to the login page
  4xx      that status
"""

# ruff: noqa: E501  (the expected answers are a table, one route a line)

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from werkzeug.test import TestResponse

from tests.conftest import ROOT, TEST_WORKFLOWS
from tests.db_fingerprint import fingerprint
from tests.web.conftest import PASSWORD, csrf
from tests.year_support import (
    DATES,
    MEMBERS,
    PDF,
    REASON,
    YEAR,
    Bloc,
    inspect_all,
    inspection_points,
    launch,
    make_bloc,
    mid_year,
    plan_and_start_inspection,
    score,
    self_scores,
    sign_all_pledges,
    targets,
)
from web import create_app
from workflow.adapters.tables import api_tokens as token_rows
from workflow.adapters.tables import (
    documents,
    role_assignments,
)
from workflow.bootstrap import Services, bootstrap
from workflow.clock import FakeClock
from workflow.config import load_settings
from workflow.services import (
    api_tokens,
    campaigns,
    conferences,
    dossiers,
    exemplary_models,
    impediments,
    imports,
    people,
    supervision,
    voting,
    year,
)

FLAG = "co_thi_dua_chinh_phu"
THEMATIC = {"theme": "Thi đua chuyển đổi số năm 2025", "kind": "thematic",
            "criteria_table": "khoi_noi_chinh", "dates": DATES}

# --- who --------------------------------------------------------------------------------------

# role -> the user who plays it (None: not signed in, no token). The item's unit is bca.
PLAYERS: dict[str, str | None] = {
    "anon": None,
    "off": "bca_officer",      # unit_officer of bca (and, like every officer, an inspector)
    "head": "bca_head",        # unit_head of bca
    "oth": "bqp_clerk",        # unit_officer of bqp, another unit of the bloc, nothing else
    "lead": "btp_head",        # cluster_leader, derived: heads the leading unit (btp)
    "dep": "lang_head",        # cluster_deputy, derived: heads the deputy unit (lang)
    "l24": "leader_2024",      # cluster_leader of the bloc for 2024 only
    "insp": "ttcp_officer",    # inspector of the bloc (an officer of ttcp)
    "sec": "vu_tdkt",          # council_secretariat
    "cnl": "hd_member",        # council_member
    "auth": "quyet_dinh",      # decision_authority
    "adm": "quan_tri",         # admin
}
ROLES = tuple(PLAYERS)

# --- the expected answers ---------------------------------------------------------------------
# Items: P = bca's pledge, C = the campaign, S = bca's score sheet, E = evidence on it,
# V1 = an open cluster vote, V2 = a counted and locked one with minutes, D = a posted dossier.

EXPECTED_TABLE = """
route                                                   anon    off     head    oth     lead    dep     l24     insp    sec     cnl     auth    adm
GET  /                                                  login   ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /login                                             ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /login                                             401     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /logout                                            ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /account/password                                  login   ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /account/password                                  login   400     400     400     400     400     400     400     400     400     400     400
POST /notifications/read                                login   ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /static/<path:filename>                            ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /public                                            ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /public/thanks                                     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /public/dossiers/<int:dossier_id>/objections       ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /items/<int:item_id>                               login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
GET  /items/<int:item_id>/diagram.svg                   login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /items/<int:item_id>/documents                     login   ok      ok      403     ok      ok      403     403     403     403     403     403
POST /items/<int:item_id>/fire                          login   ok      ok      403     refused refused 403     403     refused refused refused refused
POST /items/<int:item_id>/targets                       login   ok      ok      403     refused refused 403     403     refused refused refused refused
GET  /campaigns/<int:campaign_id>                       login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /campaigns/<int:campaign_id>/fire                  login   refused refused refused refused refused 403     refused ok      refused refused refused
GET  /campaigns/<int:campaign_id>/inspection-plan       login   403     403     403     ok      403     403     403     403     403     403     403
POST /campaigns/<int:campaign_id>/inspection-plan       login   refused refused refused ok      refused 403     refused refused refused refused refused
GET  /campaigns/<int:campaign_id>/ranking               login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /campaigns/<int:campaign_id>/ranking.svg           login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /campaigns/<int:campaign_id>/ranking.xlsx          login   403     403     403     ok      403     403     403     ok      403     403     403
GET  /clusters                                          login   ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /clusters/<int:cluster_id>                         login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /clusters/<int:cluster_id>/campaigns               login   403     403     403     ok      403     403     403     ok      403     403     ok
GET  /campaigns/<int:campaign_id>/plan                  login   403     403     403     ok      403     403     403     ok      403     403     ok
POST /campaigns/<int:campaign_id>/plan                  login   403     403     403     ok      403     403     403     ok      403     403     ok
POST /campaigns/<int:campaign_id>/launch                login   403     403     403     ok      refused 403     403     ok      refused refused refused
GET  /score-sheets/<int:sheet_id>                       login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /score-sheets/<int:sheet_id>/scores                login   ok      ok      403     refused refused 403     403     refused refused refused refused
POST /score-sheets/<int:sheet_id>/evidence              login   ok      ok      403     refused refused 403     403     refused refused refused refused
GET  /score-sheets/<int:sheet_id>/evidence/<int:document_id>  login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /score-sheets/<int:sheet_id>/submit                login   refused ok      403     refused refused 403     403     refused refused refused refused
POST /score-sheets/<int:sheet_id>/fire                  login   403     403     refused ok      ok      403     403     refused refused refused refused
POST /score-sheets/<int:sheet_id>/adjust                login   403     403     403     ok      ok      403     403     403     403     403     403
GET  /inspections/<int:inspection_id>                   login   403     403     403     ok      ok      403     ok      ok      ok      ok      ok
POST /inspections/<int:inspection_id>/results           login   403     403     403     403     403     403     ok      403     403     403     403
POST /inspections/<int:inspection_id>/fire              login   403     403     403     refused refused 403     ok      refused refused refused refused
POST /inspections/<int:inspection_id>/minutes.docx      login   403     403     403     ok      403     403     ok      403     403     403     403
POST /inspections/<int:inspection_id>/signed-minutes    login   403     403     403     refused 403     403     refused 403     403     403     403
GET  /inspections/<int:inspection_id>/documents/<int:document_id>  login   403     403     403     ok      ok      403     ok      ok      ok      ok      ok
GET  /campaigns/<int:campaign_id>/conferences           login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /campaigns/<int:campaign_id>/conferences           login   403     403     403     ok      ok      403     403     403     403     403     403
GET  /conferences/<int:conference_id>                   login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /conferences/<int:conference_id>/plan              login   403     403     403     ok      ok      403     403     403     403     403     403
POST /conferences/<int:conference_id>/attendance        login   403     403     403     ok      ok      403     403     403     403     403     403
POST /conferences/<int:conference_id>/conclusions       login   403     403     403     ok      ok      403     403     403     403     403     403
POST /conferences/<int:conference_id>/fire              login   403     403     403     ok      ok      403     403     refused refused refused refused
POST /conferences/<int:conference_id>/minutes.docx      login   403     403     403     ok      ok      403     403     403     403     403     403
GET  /conferences/<int:conference_id>/documents/<int:document_id>  login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /api/v1/campaigns/<int:campaign_id>/conferences    401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /api/v1/campaigns/<int:campaign_id>/conferences    401     403     403     403     ok      ok      403     403     403     403     403     403
POST /conferences/<int:conference_id>/signed-minutes   login   403     403     403     ok      ok      403     403     403     403     403     403
GET  /supervision                                       login   403     403     403     403     403     403     403     ok      403     403     403
POST /supervision/assignments                           login   403     403     403     403     403     403     403     ok      403     403     403
POST /supervision/assignments/<int:grant_id>/end        login   403     403     403     403     403     403     403     ok      403     403     403
GET  /supervision/clusters/<int:cluster_id>             login   403     403     403     ok      403     403     403     ok      403     403     403
POST /supervision/clusters/<int:cluster_id>/notes       login   403     403     403     403     403     403     403     403     403     403     403
GET  /supervision/items/<int:item_id>                   login   403     403     403     ok      403     403     403     ok      403     403     403
GET  /api/v1/supervision/assignments                    401     403     403     403     403     403     403     403     ok      403     403     403
POST /api/v1/supervision/assignments                    401     403     403     403     403     403     403     403     ok      403     403     403
DELETE /api/v1/supervision/assignments/<int:grant_id>   401     403     403     403     403     403     403     403     ok      403     403     403
GET  /api/v1/clusters/<int:cluster_id>/supervision-notes  401   403     403     403     ok      403     403     403     ok      403     403     403
POST /api/v1/clusters/<int:cluster_id>/supervision-notes  401   403     403     403     403     403     403     403     403     403     403     403
GET  /campaigns/<int:campaign_id>/models                login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /campaigns/<int:campaign_id>/models                login   ok      ok      403     ok      ok      403     403     403     403     403     403
GET  /models/<int:model_id>                             login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /models/<int:model_id>/edit                        login   ok      ok      403     ok      ok      403     403     403     403     403     403
POST /models/<int:model_id>/fire                        login   refused refused 403     ok      ok      403     403     refused refused refused refused
POST /models/<int:model_id>/evidence                    login   ok      ok      403     ok      ok      403     403     403     403     403     403
GET  /models/<int:model_id>/documents/<int:document_id>  login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /models/<int:model_id>/present                     login   403     403     403     ok      ok      403     403     403     403     403     403
POST /models/<int:model_id>/spread                      login   403     403     403     ok      ok      403     403     403     403     403     403
GET  /adoptions/<int:adoption_id>                       login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /adoptions/<int:adoption_id>/adopt                 login   ok      ok      403     403     403     403     403     403     403     403     403
POST /adoptions/<int:adoption_id>/results               login   ok      ok      403     403     403     403     403     403     403     403     403
POST /adoptions/<int:adoption_id>/fire                  login   ok      ok      403     refused refused 403     403     refused refused refused refused
GET  /api/v1/campaigns/<int:campaign_id>/models         401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /api/v1/campaigns/<int:campaign_id>/models         401     ok      ok      403     ok      ok      403     403     403     403     403     403
GET  /api/v1/models/<int:model_id>                      401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /dossiers/<int:dossier_id>/exemplary-models        login   ok      403     403     ok      403     403     403     ok      403     ok      403
GET  /votes/<int:session_id>                            login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /votes/<int:session_id>/confirm                    login   refused ok      refused ok      ok      403     refused refused refused refused refused
POST /votes/<int:session_id>/cast                       login   refused ok      refused ok      ok      403     refused refused refused refused refused
POST /votes/<int:session_id>/fire                       login   403     403     403     ok      refused 403     403     ok      403     403     403
GET  /votes/<int:session_id>/minutes                    login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /votes/<int:session_id>/committee                  login   404     404     404     404     404     403     404     404     404     404     404
POST /votes/<int:session_id>/share                      login   403     403     403     403     403     403     403     403     403     403     403
POST /votes/<int:session_id>/share.txt                  login   403     403     403     403     403     403     403     403     403     403     403
POST /votes/<int:session_id>/release                    login   403     403     403     403     403     403     403     403     403     403     403
GET  /votes/<int:session_id>/receipts                   login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /votes/<int:session_id>/paper                      login   403     403     403     refused refused 403     403     refused 403     403     403
GET  /api/v1/votes/<int:session_id>/committee           401     404     404     404     404     404     403     404     404     404     404     404
POST /api/v1/votes/<int:session_id>/share               401     403     403     403     403     403     403     403     403     403     403     403
POST /api/v1/votes/<int:session_id>/share/release       401     403     403     403     403     403     403     403     403     403     403     403
GET  /api/v1/votes/<int:session_id>/receipts            401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /pledges/<int:pledge_id>                           login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /pledges/<int:pledge_id>/targets                   login   ok      ok      403     refused refused 403     403     refused refused refused refused
POST /pledges/<int:pledge_id>/fire                      login   ok      ok      403     refused refused 403     403     refused refused refused refused
POST /pledges/<int:pledge_id>/documents                 login   ok      ok      403     ok      ok      403     403     403     403     403     403
GET  /reports/<int:report_id>                           login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /reports/<int:report_id>/fire                      login   refused refused 403     refused refused 403     403     refused refused refused refused
POST /reports/<int:report_id>/documents                 login   ok      ok      403     ok      ok      403     403     403     403     403     403
GET  /items/<int:item_id>/documents/<int:document_id>   login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /votes/<int:session_id>/minutes                    login   403     403     403     refused refused 403     403     refused 403     403     403
GET  /campaigns/<int:campaign_id>/votes/new             login   403     403     403     ok      403     403     403     ok      403     403     403
POST /campaigns/<int:campaign_id>/votes                 login   403     403     403     refused 403     403     403     refused 403     403     403
GET  /admin/                                            login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/definitions                                 login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/definitions/new                             login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/definitions/new                             login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/definitions/<name>/edit                     login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/definitions/<name>/edit                     login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/definitions/<name>/migrate                  login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/definitions/<name>/migrate                  login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/people                                      login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/create                               login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/grant                                login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/<int:user_id>/active                 login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/<int:user_id>/reset-password         login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/units                                       login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/units/create                                login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/clusters                                    login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/clusters/create                             login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/rules                                       login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/deliveries                                  login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/people/<int:user_id>                        login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/<int:user_id>/edit                   login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/<int:user_id>/grants/<int:grant_id>/revoke  login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/<int:user_id>/tokens                 login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/people/<int:user_id>/tokens/<int:token_id>/revoke  login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/changes                                     login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/units/<int:unit_id>                         login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/units/<int:unit_id>                         login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/clusters/<int:cluster_id>                   login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/clusters/<int:cluster_id>                   login   403     403     403     403     403     403     403     403     403     403     ok
GET  /account/tokens                                    login   ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /account/tokens                                    login   ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /account/tokens/<int:token_id>/revoke              login   ok      404     404     404     404     404     404     404     404     404     404
GET  /next-year/                                        login   403     403     403     403     403     403     403     ok      403     403     ok
POST /next-year/                                        login   403     403     403     403     403     403     403     ok      403     403     ok
GET  /criteria                                          login   403     403     403     403     403     403     403     ok      403     403     ok
POST /criteria/<code>/copy                              login   403     403     403     403     403     403     403     ok      403     403     ok
GET  /criteria/<code>/edit                              login   403     403     403     403     403     403     403     ok      403     403     ok
POST /criteria/<code>/edit                              login   403     403     403     403     403     403     403     ok      403     403     ok
GET  /criteria/<code>/versions/<int:version>            login   403     403     403     403     403     403     403     ok      403     403     ok
GET  /dossiers/<int:dossier_id>/objections              login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /dossiers/<int:dossier_id>/objections/<int:objection_id>/judge  login 403 403     403     403     403     403     403     ok      403     403     403
POST /dossiers/<int:dossier_id>/objections/<int:objection_id>/answer  login 403 403    403     ok      403     403     403     ok      403     403     403
GET  /campaigns/<int:campaign_id>/department-data       login   403     403     403     ok      ok      403     403     ok      ok      ok      ok
POST /campaigns/<int:campaign_id>/department-data       login   403     403     403     403     403     403     403     403     403     403     403
GET  /campaigns/<int:campaign_id>/department-data/template.xlsx  login   403     403     403     403     403     403     403     403     403     403     403
POST /campaigns/<int:campaign_id>/department-data/import  login   403     403     403     403     403     403     403     403     403     403     403
GET  /department-data/<int:item_id>                     login   404     404     404     404     404     404     404     404     404     404     404
POST /reports/<int:report_id>/results                   login   refused refused 403     refused refused 403     403     refused refused refused refused
GET  /campaigns/<int:campaign_id>/mid-year-targets      login   403     403     403     ok      ok      403     403     ok      ok      ok      ok
POST /score-sheets/<int:sheet_id>/keep-unit-result      login   403     403     403     422     422     403     403     403     403     403     403
GET  /api/v1/campaigns/<int:campaign_id>/department-figures  401     403     403     403     ok      ok      403     403     ok      ok      ok      ok
POST /api/v1/campaigns/<int:campaign_id>/department-figures  401     403     403     403     403     403     403     403     403     403     403     403
GET  /api/v1/campaigns/<int:campaign_id>/mid-year-pace  401     403     403     403     ok      ok      403     403     ok      ok      ok      ok
GET  /api/openapi.json                                  ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /api/v1/me                                         401     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /api/v1/inbox                                      401     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /api/v1/items/<int:item_id>                        401     ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
GET  /api/v1/items/<int:item_id>/history                401     ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /api/v1/items/<int:item_id>/fire                   401     ok      ok      403     403     403     403     403     403     403     403     403
POST /api/v1/items/<int:item_id>/documents              401     ok      ok      403     ok      ok      403     403     403     403     403     403
POST /api/v1/votes/<int:session_id>/ballots             401     403     ok      403     ok      ok      403     403     403     403     403     403
GET  /api/v1/votes/<int:session_id>/result              401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /api/v1/campaigns/<int:campaign_id>/votes          401     403     403     403     409     403     403     403     409     403     403     403
POST /api/v1/definitions/validate                       401     403     403     403     403     403     403     403     403     403     403     ok
POST /api/v1/definitions/publish                        401     403     403     403     403     403     403     403     403     403     403     ok
POST /api/v1/campaigns                                  401     403     403     403     ok      403     403     403     ok      403     403     ok
POST /api/v1/campaigns/<int:campaign_id>/launch         401     403     403     403     ok      403     403     403     ok      403     403     403
GET  /api/v1/clusters/<int:cluster_id>/campaigns        401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /overview                                          login   403     403     403     403     403     403     403     ok      ok      ok      ok
GET  /overview.xlsx                                     login   403     403     403     403     403     403     403     ok      ok      ok      ok
GET  /fairness                                          login   403     403     403     403     403     403     403     ok      ok      ok      ok
GET  /fairness/<code>                                   login   403     403     403     403     403     403     403     ok      ok      ok      ok
GET  /council                                           login   403     403     403     403     403     403     403     ok      ok      ok      403
GET  /council/<int:year>                                 login   403     403     403     403     403     403     403     ok      ok      ok      403
POST /council/<int:year>/schedule                       login   403     403     403     403     403     403     403     refused 403     403     403
POST /votes/<int:session_id>/council-results            login   403     403     403     403     403     403     403     403     403     403     403
GET  /dossiers/<int:dossier_id>/decision                login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /dossiers/<int:dossier_id>/decision                login   403     403     403     403     403     403     403     403     403     refused 403
POST /dossiers/<int:dossier_id>/announce                login   403     403     403     403     403     403     403     refused 403     403     403
POST /dossiers/<int:dossier_id>/revoke                  login   403     403     403     403     403     403     403     403     403     refused 403
GET  /dossiers/<int:dossier_id>/decision.docx           login   404     404     403     404     404     403     403     404     404     404     404
GET  /dossiers/<int:dossier_id>                         login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /dossiers/<int:dossier_id>/documents               login   ok      403     403     ok      403     403     403     ok      403     ok      403
POST /dossiers/<int:dossier_id>/letter                  login   ok      403     403     ok      403     403     403     403     403     403     403
POST /dossiers/<int:dossier_id>/minutes                 login   refused refused 403     refused refused 403     403     refused refused refused refused
POST /dossiers/<int:dossier_id>/fire                    login   refused refused 403     refused refused 403     403     refused refused refused refused
POST /dossiers/<int:dossier_id>/return                  login   refused refused 403     refused refused 403     403     refused refused refused refused
POST /votes/<int:session_id>/dossiers                   login   403     403     403     refused refused 403     403     refused 403     403     403
POST /api/v1/votes/<int:session_id>/dossiers            401     403     403     403     409     409     403     403     409     403     403     403
GET  /api/v1/dossiers/<int:dossier_id>/clock            401     ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
GET  /admin/imports                                     login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/imports/template.xlsx                       login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/imports/check                               login   403     403     403     403     403     403     403     403     403     403     ok
GET  /admin/imports/<token>/errors                      login   403     403     403     403     403     403     403     403     403     403     ok
POST /admin/imports/<token>/commit                      login   403     403     403     403     403     403     403     403     403     403     ok
GET  /api/v1/imports/template.xlsx                      401     403     403     403     403     403     403     403     403     403     403     ok
POST /api/v1/imports/dry-run                            401     403     403     403     403     403     403     403     403     403     403     ok
POST /api/v1/imports                                    401     403     403     403     403     403     403     403     403     403     403     ok
POST /api/v1/units                                      401     403     403     403     403     403     403     403     403     403     403     ok
GET  /api/v1/units                                      401     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /api/v1/units/<int:unit_id>                        401     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /api/v1/clusters                                   401     403     403     403     403     403     403     403     403     403     403     ok
GET  /api/v1/clusters                                   401     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
GET  /api/v1/clusters/<int:cluster_id>                  401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /api/v1/clusters/<int:cluster_id>/members          401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /api/v1/people                                     401     403     403     403     403     403     403     403     403     403     403     ok
GET  /api/v1/people                                     401     403     403     403     403     403     403     403     403     403     403     ok
GET  /api/v1/people/<int:user_id>                       401     ok      403     403     403     403     403     403     403     403     403     ok
POST /api/v1/people/<int:user_id>/roles                 401     403     403     403     403     403     403     403     403     403     403     ok
GET  /api/v1/people/<int:user_id>/tokens                401     ok      403     403     403     403     403     403     403     403     403     ok
POST /api/v1/people/<int:user_id>/tokens                401     ok      403     403     403     403     403     403     403     403     403     ok
DELETE /api/v1/people/<int:user_id>/tokens/<int:token_id>  401  ok      403     403     403     403     403     403     403     403     403     ok
GET  /api/v1/campaigns/<int:campaign_id>/items          401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /api/v1/campaigns/<int:campaign_id>/criteria       401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /api/v1/campaigns/<int:campaign_id>/ranking        401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
GET  /api/v1/campaigns/<int:campaign_id>/inspection-plan  401   403     403     403     ok      403     403     403     403     403     403     403
GET  /api/v1/items/<int:item_id>/documents              401     ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
GET  /api/v1/items/<int:item_id>/documents/<int:document_id>  401  ok   ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /api/v1/votes/<int:session_id>/minutes             401     403     403     403     409     409     403     403     409     403     403     403
POST /api/v1/dossiers/<int:dossier_id>/letter           401     ok      403     403     ok      403     403     403     403     403     403     403
GET  /api/v1/council/<int:year>/dossiers                401     403     403     403     403     403     403     403     ok      ok      ok      403
GET  /api/v1/council/<int:year>/members                 401     403     403     403     403     403     403     403     ok      ok      ok      403
GET  /api/v1/council/<int:year>/sessions                401     403     403     403     403     403     403     403     ok      ok      ok      403
POST /api/v1/council/<int:year>/sessions                401     403     403     403     403     403     403     403     400     403     403     403
POST /api/v1/votes/<int:session_id>/attendance          401     403     403     403     409     409     403     403     409     403     403     403
GET  /api/v1/votes/<int:session_id>/turnout             401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
POST /api/v1/votes/<int:session_id>/council-results     401     404     404     404     404     404     404     404     404     404     404     404
POST /api/v1/dossiers/<int:dossier_id>/decision         401     403     403     403     403     403     403     403     403     403     409     403
POST /api/v1/dossiers/<int:dossier_id>/announce         401     403     403     403     403     403     403     403     409     403     403     403
POST /api/v1/dossiers/<int:dossier_id>/revoke           401     403     403     403     403     403     403     403     403     403     409     403
POST /api/v1/dossiers/<int:dossier_id>/return           401     403     403     403     403     403     403     403     409     403     403     403
POST /api/v1/inspections/<int:inspection_id>/minutes    401     403     403     403     ok      403     403     ok      403     403     403     403
GET  /api/v1/dossiers/<int:dossier_id>/objections       401     ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
POST /api/v1/dossiers/<int:dossier_id>/objections/<int:objection_id>/judge  401  403  403  403  403  403  403  403  ok  403  403  403
POST /api/v1/dossiers/<int:dossier_id>/objections/<int:objection_id>/answer  401  403  403  403  ok  403  403  403  ok  403  403  403
POST /dossiers/<int:dossier_id>/impediments             login   403     403     403     ok      403     403     403     ok      403     403     403
POST /dossiers/<int:dossier_id>/impediments/<int:impediment_id>/close  login 403 403    403     ok      403     403     403     ok      403     403     403
GET  /units/<int:unit_id>/impediments                   login   ok      ok      403     ok      403     403     403     ok      ok      ok      ok
POST /units/<int:unit_id>/impediments                   login   403     403     403     ok      403     403     403     ok      403     403     403
POST /units/<int:unit_id>/impediments/<int:impediment_id>/close  login  403  403  403    ok      403     403     403     ok      403     403     403
GET  /api/v1/impediments                                401     ok      ok      ok      ok      ok      ok      ok      ok      ok      ok      ok
POST /api/v1/impediments                                401     403     403     403     ok      403     403     403     ok      403     403     403
GET  /api/v1/impediments/<int:impediment_id>            401     ok      ok      403     ok      403     403     403     ok      ok      ok      ok
POST /api/v1/impediments/<int:impediment_id>/close      401     403     403     403     ok      403     403     403     ok      403     403     403
"""
# - Impediments to an award (Decree 152/2025 art. 4(4)): IM is an investigation of bca recorded
#   to start in 2027 (it holds nothing back now). The council office and the bloc's leader
#   record and close them (never the leader for its own unit, nor last year's leader); the
#   unit's people, the council and the deciding head read them (a list answers anyone with
#   those they may read); the dossier's forms answer 403 first to whoever may not see D.
# Notes on the table:
# - CD is a draft thematic campaign of the bloc. Creating a campaign and revising a draft's plan
#   is for the roles campaign.yaml gives `revise_plan` (council office, admin, the leader); the
#   launch for the leader and the council office (an admin prepares, but does not launch).
# - The global roles (council secretariat, council member, decision authority, admin) read every
#   item of their year: a grant without a unit or cluster covers them all (RoleGrant.covers).
# - Attaching a document to an item (page and API) is for the people who act on it (a role its
#   workflow gives an action to); merely reading it (an inspector, the council) is not enough.
# - "refused" cells answer 302 with the reason flashed and write nothing, e.g. the leader may
#   read a unit's score sheet but only the unit edits it; firing an action one lacks the role
#   for is flashed, not a 403.
# - The official Excel ranking is for the cluster's leader and the council office (issue 18):
#   the deputy, officers (inspectors) and heads get 403 (the page hides the button from them).
# - The `inspector` grant is held for the whole cluster by every officer, but counts only on
#   an inspection whose team names them (issue 18): "insp" reads no pledge, report, score sheet
#   or file of bca through it, and "off" (bca's officer) does not see I, of another unit.
# - Page posts answer 403 to whoever may not see the item, before its state, version or the
#   roles its actions need are said (issue 18); who may see it but not act is "refused".
# - Checking a definition (API) is for administrators only (issue 18).
# - The result of a counted vote (API) is for the same people as its page.
# - The pledge's and the report's pages answer 403 to whoever may not see the item; a save or an
#   action they may not take comes back on the page with the reason ("refused"). R is bca's
#   six-month report, accepted: accepting it again is refused to everyone.
# - POST /login: anon posts a wrong password (401); the others sign in as themselves.
# - D's page is for whoever may see bca's dossier; uploading to it for the roles its
#   definition gives actions to (the unit's officer, the leader, the council office, the
#   deciding head); the tờ trình is generated by the unit's officer or the leader. D is being
#   posted: submitting and returning it are refused to all, its minutes already attached.
#   Every winner of V2 has its dossier already: opening them again is refused to the chairs.
# - Inspections: I is the inspection led by ttcp_officer ("insp"), of a unit other than bca, so
#   bca's head has no part in it. Its team, the inspected unit and the leader see it, only the
#   team records (another officer gets 403, nothing written); the minutes are
#   drawn up and the signed copy uploaded by those who act on it (team, unit, leader); the
#   signed copy is refused before the inspection is concluded.
# - S2 is bqp's cross-checked score sheet: the leader and the deputy adjust and verify it.
# - POST /account/password: each posts a wrong current password (400, nothing changed).
# - Criteria tables (/criteria) are drafted and published by the council office and admins.
# - Objections to D: whoever may see the dossier reads them; only the council office judges
#   one (O1, not judged yet) admissible or not; the council office and the cluster's leader
#   answer an admissible one (O2). Everyone else gets 403 before anything is said about it.
# - The inspector grant opens only the inspection its holder's team carries out (issue 18):
#   no dossier of another unit.
# - The council's page of a year is for the council's people (office, members, the deciding
#   head); only the office schedules (refused here: no dossier waits for the council). Writing a
#   council's result on the dossiers is refused (403) on a cluster's vote (V2) to everyone. The
#   decision page of D (a posted dossier) is read like the item; deciding and revoking are the
#   deciding head's, announcing the office's, each refused in D's state; D has no decision yet.
# - Importing units, clusters and people from a spreadsheet (pages and API) is for
#   administrators only; the errors and commit probes use a file staged by the admin.
# - The API of issue 15: units, clusters, people and roles are kept by admins (anyone signed in
#   reads the units; a cluster is read by those who take part in it, as its page); a person's
#   account and tokens by themself ("off" here) or an admin; TK is a spare token of "off". A
#   campaign's items, criteria and ranking are read like the campaign's page, its proposed
#   inspection plan by the leader (as the page); an item's documents like the item (S, with
#   its evidence E). Drawing up V1's minutes and taking its attendance are the chairs' (409:
#   the vote is open, not counted); the council's API is for its people like its page, the
#   office schedules (400: D is not under the council's review). V2 is no council
#   session (404 to all). D's letter is the unit officer's or the leader's; its decision,
#   announcement and revocation answer 409 in D's state to the role that would take them,
#   as does its return for supplement (the office's: D is posted, not under appraisal). D's
#   objections are read, judged (O1) and answered (O2) through the API as on their page.
#   I's minutes are drawn up through the API by those who may on its page (team, leader).
# - Department figures (issue 17): every unit's figures and the mid-year pace (pages and API)
#   are read by whoever holds a role on the campaign (leader, deputy, council, admin), not by
#   the members' people; recording and importing them is for a professional department granted
#   the criterion (no player here: 403 to all; its own journey is tests/web/test_web__department
#   and tests/e2e/test_journey__department). Keeping a unit's result on S2, where no figure
#   differs, comes back 422 with the reason to the leader and deputy. No figures item exists:
#   /department-data/<id> on C is 404. R's results cannot be recorded once it is accepted.


def parse_table(text: str) -> dict[tuple[str, str], dict[str, str | int]]:
    lines = [ln.split() for ln in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert tuple(header) == ROLES
    table: dict[tuple[str, str], dict[str, str | int]] = {}
    for method, rule, *cells in rows:
        assert len(cells) == len(ROLES), f"{method} {rule}: {len(cells)} cells"
        assert (method, rule) not in table, f"{method} {rule} twice"
        table[(method, rule)] = {r: int(c) if c.isdigit() else c for r, c in zip(ROLES, cells, strict=True)}
    return table


EXPECTED = parse_table(EXPECTED_TABLE)

# Cases beyond one row per route (issue 18): the year, the inspector's scope and the official
# exports, on other items of the same routes. IPg is the pledge of the unit that insp's team
# inspects (IP is a file of it); I_bca is the inspection of bca, whose team is not insp's.
SCOPE_TABLE = """
case                                                    anon    off     head    oth     lead    dep     l24     insp    sec     cnl     auth    adm
team:GET  /pledges/IPg                                  login   403     403     403     ok      ok      403     403     ok      ok      ok      ok
team:GET  /items/IPg/documents/IP                       login   403     403     403     ok      ok      403     403     ok      ok      ok      ok
team:GET  /api/v1/items/IPg                             401     403     403     403     ok      ok      403     403     ok      ok      ok      ok
team:GET  /inspections/I_bca                            login   ok      ok      403     ok      ok      403     403     ok      ok      ok      ok
team:GET  /api/v1/items/I                               401     403     403     403     ok      ok      403     ok      ok      ok      ok      ok
year:GET  /api/v1/items/V2                              401     ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
year:GET  /votes/V2/minutes                             login   ok      ok      ok      ok      ok      403     ok      ok      ok      ok      ok
export:POST /campaigns/C/ranking.xlsx                   login   403     403     403     ok      403     403     403     ok      403     403     403
"""
SCOPE = parse_table(SCOPE_TABLE)


# --- the data: built once, kept as snapshots --------------------------------------------------


@dataclass
class World:
    app: Flask
    services: Services
    bloc: Bloc
    db_path: str
    ids: dict[str, Any] = field(default_factory=dict)
    snapshots: dict[str, tuple[sqlite3.Connection, dt.datetime]] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    current: str | None = None

    def snapshot(self, name: str) -> None:
        self.services.engine.dispose()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with sqlite3.connect(self.db_path) as live:
            live.backup(copy)
        live.close()
        self.snapshots[name] = (copy, self.bloc.clock.now())
        self.current = name

    def restore(self, name: str) -> None:
        copy, when = self.snapshots[name]
        self.services.engine.dispose()
        live = sqlite3.connect(self.db_path)
        copy.backup(live)
        live.close()
        self.bloc.clock.set(when)
        self.current = name

    def at(self, name: str) -> None:
        if self.current != name:
            self.restore(name)


EXTRA_USERS = {
    "bqp_clerk": ("unit_officer", "bqp", None),
    "leader_2024": ("cluster_leader", None, 2024),
    "hd_member": ("council_member", None, None),
    "quyet_dinh": ("decision_authority", None, None),
    "quan_tri": ("admin", None, None),
    "nhan_vien_nghi": (None, None, None),  # a plain account the admin deactivates
}


def _users(bloc: Bloc) -> None:
    uow = bloc.services.uow()
    for name, (role, unit, year_) in EXTRA_USERS.items():
        bloc.users[name] = people.create_user(uow, name, name.replace("_", " ").title())
        if role == "unit_officer":
            people.grant(uow, bloc.users[name], role, unit_id=bloc.units[unit or ""], year=YEAR)
        elif role == "cluster_leader":
            people.grant(uow, bloc.users[name], role, cluster_id=bloc.cluster, year=year_)
        elif role == "admin":
            people.grant(uow, bloc.users[name], role)
        elif role is not None:
            people.grant(uow, bloc.users[name], role, year=YEAR)


def _sign_in(world: World) -> None:
    for role, username in PLAYERS.items():
        client = world.app.test_client()
        if username is not None:
            people.set_password(world.services.uow(), world.bloc.users[username], PASSWORD)
            token = csrf(client)
            answer = client.post("/login", data={"username": username, "password": PASSWORD,
                                                 "csrf_token": token})
            assert answer.status_code == 302, username
            world.tokens[role] = csrf(client)
            secret = api_tokens.create_token(world.services.uow(), world.bloc.clock,
                                             world.bloc.users[username], "matrix")
            world.headers[role] = {"Authorization": f"Bearer {secret}"}
        else:
            world.tokens[role] = csrf(client)
            world.headers[role] = {}
        world.clients[role] = client


def _open_vote(bloc: Bloc, candidates: tuple[str, ...]) -> Any:
    """An open cluster vote (the pattern of test_web__year.open_vote)."""
    bloc.clock.set(dt.datetime(2025, 12, 18, 2, tzinfo=dt.UTC))
    rules = bloc.wf.rulebook.in_force(dt.date(2025, 12, 18))
    data = {"kind": "cluster", "titles": [FLAG],
            "candidates": {FLAG: [bloc.units[c] for c in candidates]},
            "rule_set": {"code": rules.code, "version": rules.version}, "ranks": {},
            "past_winners": {}, "leader_unit_id": bloc.units["btp"], "secret": True}
    session = bloc.wf.start("vote_session", bloc.leader, cluster_id=bloc.cluster, year=YEAR,
                            data=data)
    bloc.wf.fire(session, "check_quorum", bloc.leader,
                 {"present": [f"unit:{u}" for u in bloc.units.values()]})
    return bloc.wf.fire(session, "open", bloc.leader).instance


def _conferences(bloc: Bloc, ids: dict[str, Any], campaign_id: int) -> None:
    """KP planned, KI invited, KH held with its conclusions, KM with its minutes (KD)."""
    plan = {"kind": "thematic", "topic": "Chuyển đổi số", "date": "2025-12-20", "time": "08:00",
            "place": "Hội trường Bộ Tư pháp", "host_unit_id": bloc.units["btp"],
            "agenda": [{"title": "Báo cáo chuyên đề", "presenter": "Bộ Tư pháp"}]}
    attendance = {str(u): {"present": True, "attendees": "Đại diện"} for u in bloc.units.values()}
    made = []
    for steps in range(4):
        conf = bloc.wf.start("conference", bloc.leader, cluster_id=bloc.cluster, year=YEAR,
                             parent_id=campaign_id)
        conf = bloc.wf.fire(conf, "revise_plan", bloc.leader, {"plan": plan}).instance
        if steps >= 1:
            bloc.wf.fire(conf, "invite", bloc.leader)
        if steps >= 2:
            bloc.wf.fire(conf.id, "record_attendance", bloc.leader, {"attendance": attendance})
            bloc.wf.fire(conf.id, "hold", bloc.leader)
            bloc.wf.fire(conf.id, "record_conclusions", bloc.leader, {"conclusions": [
                {"text": "Giao nhiệm vụ", "unit_id": bloc.units["bca"], "due": "2026-01-31"}]})
        if steps >= 3:
            names = conferences.Names("Khối", bloc.services.reads.unit_names(bloc.units.values()))
            conferences.draw_up_minutes(bloc.wf, bloc.services.settings.documents_dir,
                                        bloc.wf.get(conf.id), bloc.leader, names)
            bloc.wf.fire(conf.id, "draw_up", bloc.leader)
        made.append(conf.id)
    ids["KP"], ids["KI"], ids["KH"], ids["KM"] = made
    ids["KD"] = bloc.services.reads.documents(ids["KM"], conferences.MINUTES_KIND)[0].id


def _supervision(bloc: Bloc, ids: dict[str, Any]) -> None:
    """A council member who is no player supervises the bloc (SG, the assignment) and has
    recorded a note (SV, the supervision item)."""
    uow = bloc.services.uow()
    member = people.create_user(uow, "hd_giam_sat", "Hd Giam Sat")
    people.grant(uow, member, "council_member", year=YEAR)
    bloc.users["hd_giam_sat"] = member
    ids["SG"] = supervision.assign(uow, bloc.actor("vu_tdkt"), member, bloc.cluster)
    ids["SV"] = supervision.record_note(
        bloc.wf, bloc.services.reads, bloc.actor("hd_giam_sat"), bloc.cluster, YEAR,
        {"date": bloc.clock.today().isoformat(), "content": "Kiểm tra tiến độ"}).instance.id


def _models(bloc: Bloc, ids: dict[str, Any], campaign_id: int) -> None:
    """Exemplary models of bca: MD a draft, MS submitted, MA accepted with its evidence MED;
    AD a proposal to bca to adopt tandtc's model, AA bca's adoption of vksndtc's."""
    campaign = bloc.wf.get(campaign_id)
    report = next(r for r in bloc.wf.children(campaign_id)
                  if r.workflow == "report" and r.unit_id == bloc.units["bca"])
    model = {"name": "Một cửa liên thông", "field": "Cải cách hành chính",
             "description": "Tiếp nhận hồ sơ trực tuyến", "results": "Giảm 40% thời gian"}
    ids["MD"] = exemplary_models.propose(bloc.wf, bloc.officer("bca"), campaign,
                                         bloc.units["bca"], model).id
    ids["MS"] = exemplary_models.propose(bloc.wf, bloc.leader, campaign, bloc.units["bca"],
                                         model, source=report, submit=True).id
    accepted = exemplary_models.propose(bloc.wf, bloc.leader, campaign, bloc.units["bca"],
                                        model, source=report, submit=True)
    ids["MA"] = bloc.wf.fire(accepted, "accept", bloc.leader).instance.id
    bloc.attach(bloc.wf.get(ids["MA"]), bloc.officer("bca"), exemplary_models.EVIDENCE_KIND)
    ids["MED"] = bloc.services.reads.documents(ids["MA"], exemplary_models.EVIDENCE_KIND)[0].id
    for key, code in (("AD", "tandtc"), ("AA", "vksndtc")):
        other = exemplary_models.propose(bloc.wf, bloc.leader, campaign, bloc.units[code],
                                         model, submit=False)
        bloc.attach(other, bloc.officer(code), exemplary_models.EVIDENCE_KIND)
        other = bloc.wf.fire(other.id, "submit", bloc.leader).instance
        other = bloc.wf.fire(other, "accept", bloc.leader).instance
        bloc.wf.fire(other, "spread", bloc.leader, {"spreading": {
            "units": [bloc.units["bca"]], "clusters": [], "sector": False, "note": ""}})
        [adoption] = exemplary_models.adoptions_of(bloc.wf, other)
        ids[key] = adoption.id
    bloc.wf.fire(ids["AA"], "adopt", bloc.officer("bca"), {"adoption": {
        "date": "2025-07-01", "how": "Ban hành kế hoạch"}})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    clock = FakeClock(dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC))
    db_path = str(tmp / "thidua.db")
    settings = load_settings(environ={}, overrides={
        "database": {"url": f"sqlite:///{db_path}"},
        "app": {"documents_dir": str(tmp / "documents")}})
    svc = bootstrap(settings, clock=clock)
    svc.upgrade_schema()
    svc.catalog.sync([ROOT / "definitions", TEST_WORKFLOWS], base=ROOT)
    svc.criteria.sync([svc.settings.definitions_dir / "criteria"],
                      base=svc.settings.definitions_dir.parent)
    bloc = make_bloc(svc, clock)
    _users(bloc)
    w = World(create_app(services=svc, testing=True), svc, bloc, db_path)
    _sign_in(w)
    ids = w.ids
    ids["spare"] = bloc.users["nhan_vien_nghi"]
    api_tokens.create_token(svc.uow(), clock, bloc.users["bca_officer"], "spare")
    ids["TK"] = api_tokens.tokens_of(svc.uow(), bloc.users["bca_officer"])[-1].id

    # 1. launched: bca's pledge is a draft with its targets saved
    campaign = launch(bloc)
    ids["C"] = campaign.id
    pledge = bloc.child("pledge", "bca")
    ids["P"] = pledge.id
    bloc.wf.fire(pledge, "save_targets", bloc.officer("bca"), {"targets": targets(bloc)})
    ids["CD"] = campaigns.create(bloc.wf, svc.criteria, bloc.actor("vu_tdkt"), bloc.cluster,
                                 THEMATIC).id
    w.snapshot("draft")

    # 2. the mid-year review: every pledge signed, reports in, the plan to confirm
    sign_all_pledges(bloc)
    mid_year(bloc)
    ids["plan"] = year.propose_inspection_plan(bloc.wf, campaign.id, bloc.leader, seed=7)
    ids["R"] = bloc.child("report", "bca").id
    w.snapshot("mid")

    # 2b. the cross-inspection: the inspection whose team ttcp_officer ("insp") leads has its
    # points recorded, not concluded; IP is a file of the inspected unit's pledge
    plan_and_start_inspection(bloc)
    inspection = next(i for i in bloc.children("inspection")
                      if i.data["plan"]["lead"] == PLAYERS["insp"])
    ids["I"] = inspection.id
    inspected = bloc.code_of(inspection.unit_id)
    bloc.wf.fire(inspection, "record_results", bloc.actor(str(PLAYERS["insp"])),
                 {"results": inspection_points(bloc, inspected)})
    with svc.engine.connect() as conn:
        ids["IP"] = conn.execute(sa.select(sa.func.min(documents.c.id)).where(
            documents.c.instance_id == bloc.child("pledge", inspected).id)).scalar()
    ids["I_unit"] = inspected
    ids["IPg"] = bloc.child("pledge", inspected).id
    ids["I_bca"] = bloc.child("inspection", "bca").id
    w.snapshot("inspecting")

    # 3. scoring, bca's sheet filled in with evidence, bqp's submitted and cross-checked; an
    # open vote and a finished one
    inspect_all(bloc)
    sheet = score(bloc, "bca")
    ids["S"] = sheet.id
    checked = score(bloc, "bqp")
    ids["S2"] = bloc.wf.fire(checked, "submit", bloc.head("bqp")).instance.id
    with svc.engine.connect() as conn:
        ids["E"] = conn.execute(sa.select(sa.func.min(documents.c.id)).where(
            documents.c.instance_id == sheet.id)).scalar()
    ids["V1"] = _open_vote(bloc, ("bca", "bqp")).id
    for code in ("tandtc", "vksndtc", "ktnn"):  # enough ballots for the chair to close early
        voting.cast_ballot(bloc.wf, ids["V1"], bloc.head(code), {FLAG: [bloc.units["bca"]]})
    done = _open_vote(bloc, ("bca",))
    for code, _name in MEMBERS:
        voting.cast_ballot(bloc.wf, done.id, bloc.head(code),  # bca abstains on itself
                           {FLAG: [bloc.units["bca"]]} if code != "bca" else {})
    bloc.wf.fire(done.id, "close", bloc.leader, {"comment": REASON})
    folder = svc.settings.documents_dir
    voting.draw_up_minutes(bloc.wf, done.id, bloc.leader, folder, [("Trần Văn B", "Thư ký")])
    bloc.wf.fire(done.id, "lock", bloc.leader)
    [dossier] = dossiers.open_dossiers(bloc.wf, done.id, bloc.leader, folder)
    bloc.wf.fire(dossier, "post", bloc.leader)
    ids["V2"], ids["D"] = done.id, dossier.id
    ids["O1"] = dossiers.file_objection(bloc.wf, dossier.id, "Đề nghị làm rõ số liệu")
    ids["O2"] = dossiers.file_objection(bloc.wf, dossier.id, "Số liệu quý IV chưa khớp")
    dossiers.judge_objection(bloc.wf, ids["O2"], bloc.actor("vu_tdkt"), admissible=True,
                             reason="Có căn cứ")
    ids["IM"] = impediments.record(
        bloc.wf, bloc.actor("vu_tdkt"), unit_id=bloc.units["bca"], kind="investigation",
        reference="Công văn 5/TTr", start=dt.date(2027, 1, 1), until=None).id
    _conferences(bloc, ids, campaign.id)
    _supervision(bloc, ids)
    _models(bloc, ids, campaign.id)
    w.snapshot("final")
    yield w
    for copy, _when in w.snapshots.values():
        copy.close()
    svc.close()


# --- one request per cell -----------------------------------------------------------------------

Probe = Callable[[World, str], TestResponse]


@dataclass(frozen=True)
class Route:
    at: str  # the snapshot it runs on
    kind: str  # read: 2xx/3xx is ok | write: ok only if it wrote | page: ok only on 200
    probe: Probe


def version(w: World, key: str) -> str:
    return str(w.bloc.wf.get(w.ids[key]).version)


def get(path: Callable[[World], str]) -> Probe:
    def probe(w: World, role: str) -> TestResponse:
        url = path(w)
        headers = w.headers[role] if url.startswith("/api/") else {}
        return w.clients[role].get(url, headers=headers)
    return probe


def post(path: Callable[[World], str], data: Callable[[World], dict[str, Any]] | None = None,
         ) -> Probe:
    """A form post with the client's CSRF token."""
    def probe(w: World, role: str) -> TestResponse:
        body = {"csrf_token": w.tokens[role], **(data(w) if data else {})}
        return w.clients[role].post(path(w), data=body, content_type="multipart/form-data")
    return probe


def api_post(path: Callable[[World], str], body: Callable[[World], Any]) -> Probe:
    def probe(w: World, role: str) -> TestResponse:
        return w.clients[role].post(path(w), json=body(w), headers=w.headers[role])
    return probe


def login_probe(w: World, role: str) -> TestResponse:
    client = w.app.test_client()
    username = PLAYERS[role] or "nobody_at_all"
    return client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": csrf(client)})


def logout_probe(w: World, role: str) -> TestResponse:
    client = w.app.test_client()
    if PLAYERS[role] is not None:
        client.post("/login", data={"username": PLAYERS[role], "password": PASSWORD,
                                    "csrf_token": csrf(client)})
    return client.post("/logout", data={"csrf_token": csrf(client)})


def pdf() -> tuple[io.BytesIO, str]:
    return io.BytesIO(PDF), "giao-uoc.pdf"


def score_form(w: World) -> dict[str, Any]:
    form = {f"{'achieved' if 'achieved' in v else 'points'}-{code}": next(iter(v.values()))
            for code, v in self_scores(w.bloc, "bca").items()}
    return {**form, "version": version(w, "S")}


def import_workbook() -> bytes:
    """One new unit, in the import template's layout."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Đơn vị"
    sheet.append(["Mã đơn vị (code)", "Tên đơn vị (name)"])
    sheet.append(["DV_NHAP", "Đơn vị nhập từ tệp"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


IMPORT_FILE = import_workbook()


def import_file() -> tuple[io.BytesIO, str]:
    return io.BytesIO(IMPORT_FILE), "don-vi.xlsx"


def staged_import(w: World) -> str:
    """The file uploaded by the administrator for a check, waiting for the commit."""
    admin = people.actor_by_username(w.services.uow(), str(PLAYERS["adm"]))
    assert admin is not None
    return imports.stage(w.services.settings.documents_dir, admin, "don-vi.xlsx",
                         IMPORT_FILE, w.services.clock.now())


def api_upload(path: Callable[[World], str]) -> Probe:
    def probe(w: World, role: str) -> TestResponse:
        return w.clients[role].post(path(w), headers=w.headers[role],
                                    content_type="multipart/form-data",
                                    data={"year": "2025", "file": import_file()})
    return probe


DEFINITION = (ROOT / "definitions" / "report.yaml").read_text(encoding="utf-8")
CRITERIA = (ROOT / "definitions" / "criteria" / "khoi-noi-chinh.yaml").read_text(encoding="utf-8")


def model_form() -> dict[str, Any]:
    return {"name": "Số hóa hồ sơ", "field": "Chuyển đổi số", "description": "Số hóa",
            "results": "Giảm 40% thời gian", "people": ""}


def conference_plan_form(w: World) -> dict[str, Any]:
    return {"kind": "thematic", "topic": "Chuyển đổi số", "date": "20/12/2025",
            "time": "08:00", "place": "Hội trường Bộ Tư pháp",
            "host_unit_id": str(w.bloc.units["btp"]), "agenda_title": "Báo cáo chuyên đề",
            "agenda_presenter": "Bộ Tư pháp"}


def _i(key: str, template: str) -> Callable[[World], str]:
    return lambda w: template.format(w.ids[key])


def _token_of(w: World, username: str) -> int:
    """The id of the API token the player signed in with (made in _sign_in)."""
    with w.services.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.min(token_rows.c.id)).where(
            token_rows.c.user_id == w.bloc.users[username])).scalar() or 0)


def _grant_of(w: World, username: str) -> int:
    with w.services.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.min(role_assignments.c.id)).where(
            role_assignments.c.user_id == w.bloc.users[username])).scalar() or 0)


def _in_days(w: World, days: int) -> str:
    return (w.bloc.clock.today() + dt.timedelta(days=days)).isoformat()


IMPEDIMENT_FORM = {"kind": "complaint", "reference": "Đơn 1/ĐTC", "start": "01/01/2027"}
CLOSURE_FORM = {"closed_on": "01/02/2027", "outcome": "no_violation",
                "closure_reference": "KL 1/KL"}


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/"): Route("final", "read", get(lambda w: "/")),
    ("GET", "/login"): Route("final", "read", get(lambda w: "/login")),
    ("POST", "/login"): Route("final", "read", login_probe),
    ("POST", "/logout"): Route("final", "read", logout_probe),
    ("GET", "/account/password"): Route("final", "read", get(lambda w: "/account/password")),
    ("POST", "/account/password"): Route("final", "read", post(
        lambda w: "/account/password",
        lambda w: {"current_password": "not-the-password", "new_password": "ngựa ô lên dốc",
                   "confirm_password": "ngựa ô lên dốc"})),
    ("POST", "/notifications/read"): Route("final", "read", post(
        lambda w: "/notifications/read", lambda w: {"id": "1"})),
    ("GET", "/static/<path:filename>"): Route("final", "read", get(
        lambda w: "/static/style.css")),
    ("GET", "/public"): Route("final", "read", get(lambda w: "/public")),
    ("GET", "/public/thanks"): Route("final", "read", get(lambda w: "/public/thanks")),
    ("POST", "/public/dossiers/<int:dossier_id>/objections"): Route("final", "write", post(
        _i("D", "/public/dossiers/{}/objections"), lambda w: {"text": "Đề nghị làm rõ"})),
    ("GET", "/dossiers/<int:dossier_id>/objections"): Route("final", "page", get(
        _i("D", "/dossiers/{}/objections"))),
    ("POST", "/dossiers/<int:dossier_id>/objections/<int:objection_id>/judge"): Route(
        "final", "write", post(lambda w: f"/dossiers/{w.ids['D']}/objections/{w.ids['O1']}/judge",
                               lambda w: {"admissible": "no", "reason": "Không liên quan"})),
    ("POST", "/dossiers/<int:dossier_id>/objections/<int:objection_id>/answer"): Route(
        "final", "write", post(lambda w: f"/dossiers/{w.ids['D']}/objections/{w.ids['O2']}/answer",
                               lambda w: {"answer": "Số liệu đã được kiểm tra lại"})),
    ("GET", "/items/<int:item_id>"): Route("draft", "read", get(_i("P", "/items/{}"))),
    ("GET", "/items/<int:item_id>/diagram.svg"): Route("draft", "read", get(
        _i("P", "/items/{}/diagram.svg"))),
    ("POST", "/items/<int:item_id>/documents"): Route("draft", "write", post(
        _i("P", "/items/{}/documents"), lambda w: {"kind": "signed_pledge", "file": pdf()})),
    ("POST", "/items/<int:item_id>/fire"): Route("draft", "write", post(
        _i("P", "/items/{}/fire"), lambda w: {"trigger": "submit", "version": version(w, "P")})),
    ("POST", "/items/<int:item_id>/targets"): Route("draft", "write", post(
        _i("P", "/items/{}/targets"),
        lambda w: {f"target:{k}": "90" for k in targets(w.bloc)})),
    ("GET", "/campaigns/<int:campaign_id>"): Route("final", "read", get(
        _i("C", "/campaigns/{}"))),
    ("POST", "/campaigns/<int:campaign_id>/fire"): Route("draft", "write", post(
        _i("C", "/campaigns/{}/fire"),
        lambda w: {"trigger": "close_pledging", "version": version(w, "C")})),
    ("GET", "/campaigns/<int:campaign_id>/inspection-plan"): Route("mid", "page", get(
        _i("C", "/campaigns/{}/inspection-plan"))),
    ("POST", "/campaigns/<int:campaign_id>/inspection-plan"): Route("mid", "write", post(
        _i("C", "/campaigns/{}/inspection-plan"), lambda w: {
            "plan": json.dumps(w.ids["plan"]["inspection_plan"]), "version": version(w, "C")})),
    ("GET", "/campaigns/<int:campaign_id>/ranking"): Route("final", "read", get(
        _i("C", "/campaigns/{}/ranking"))),
    ("GET", "/campaigns/<int:campaign_id>/ranking.svg"): Route("final", "read", get(
        _i("C", "/campaigns/{}/ranking.svg"))),
    ("POST", "/campaigns/<int:campaign_id>/ranking.xlsx"): Route("final", "write", post(
        _i("C", "/campaigns/{}/ranking.xlsx"))),
    ("GET", "/score-sheets/<int:sheet_id>"): Route("final", "read", get(
        _i("S", "/score-sheets/{}"))),
    ("POST", "/score-sheets/<int:sheet_id>/scores"): Route("final", "write", post(
        _i("S", "/score-sheets/{}/scores"), score_form)),
    ("POST", "/score-sheets/<int:sheet_id>/evidence"): Route("final", "write", post(
        _i("S", "/score-sheets/{}/evidence"), lambda w: {
            "criterion": "ky_giao_uoc", "kind": "signed_pledge", "file": pdf()})),
    ("GET", "/score-sheets/<int:sheet_id>/evidence/<int:document_id>"): Route(
        "final", "read", get(lambda w: f"/score-sheets/{w.ids['S']}/evidence/{w.ids['E']}")),
    ("POST", "/score-sheets/<int:sheet_id>/submit"): Route("final", "write", post(
        _i("S", "/score-sheets/{}/submit"), lambda w: {"version": version(w, "S")})),
    ("POST", "/score-sheets/<int:sheet_id>/fire"): Route("final", "write", post(
        _i("S2", "/score-sheets/{}/fire"), lambda w: {"trigger": "verify", "version": version(w, "S2")})),
    ("POST", "/score-sheets/<int:sheet_id>/adjust"): Route("final", "write", post(
        _i("S2", "/score-sheets/{}/adjust"), lambda w: {
            "adjust-ky_giao_uoc": "2", "comment": "Ký giao ước chậm", "version": version(w, "S2")})),
    ("GET", "/inspections/<int:inspection_id>"): Route("inspecting", "read", get(
        _i("I", "/inspections/{}"))),
    ("POST", "/inspections/<int:inspection_id>/results"): Route("inspecting", "write", post(
        _i("I", "/inspections/{}/results"), lambda w: {
            **{f"points-{k}": v for k, v in inspection_points(w.bloc, w.ids["I_unit"]).items()},
            "conclusion": "Tốt", "version": version(w, "I")})),
    ("POST", "/inspections/<int:inspection_id>/fire"): Route("inspecting", "write", post(
        _i("I", "/inspections/{}/fire"), lambda w: {"trigger": "conclude", "version": version(w, "I")})),
    ("POST", "/inspections/<int:inspection_id>/minutes.docx"): Route("inspecting", "write", post(
        _i("I", "/inspections/{}/minutes.docx"))),
    ("POST", "/inspections/<int:inspection_id>/signed-minutes"): Route("inspecting", "write", post(
        _i("I", "/inspections/{}/signed-minutes"), lambda w: {"file": pdf()})),
    ("GET", "/inspections/<int:inspection_id>/documents/<int:document_id>"): Route(
        "inspecting", "read", get(lambda w: f"/inspections/{w.ids['I']}/documents/{w.ids['IP']}")),
    ("GET", "/campaigns/<int:campaign_id>/conferences"): Route("final", "read", get(
        _i("C", "/campaigns/{}/conferences"))),
    ("POST", "/campaigns/<int:campaign_id>/conferences"): Route("final", "write", post(
        _i("C", "/campaigns/{}/conferences"), lambda w: conference_plan_form(w))),
    ("GET", "/conferences/<int:conference_id>"): Route("final", "read", get(
        _i("KH", "/conferences/{}"))),
    ("POST", "/conferences/<int:conference_id>/plan"): Route("final", "write", post(
        _i("KP", "/conferences/{}/plan"),
        lambda w: {**conference_plan_form(w), "place": "Hội trường khác",
                   "version": version(w, "KP")})),
    ("POST", "/conferences/<int:conference_id>/attendance"): Route("final", "write", post(
        _i("KI", "/conferences/{}/attendance"), lambda w: {
            f"present-{w.bloc.units['bca']}": "1", f"attendees-{w.bloc.units['bca']}": "Đại diện",
            "version": version(w, "KI")})),
    ("POST", "/conferences/<int:conference_id>/conclusions"): Route("final", "write", post(
        _i("KH", "/conferences/{}/conclusions"), lambda w: {
            "conclusion_text": "Tiếp tục thực hiện", "conclusion_unit": "",
            "conclusion_due": "", "version": version(w, "KH")})),
    ("POST", "/conferences/<int:conference_id>/fire"): Route("final", "write", post(
        _i("KP", "/conferences/{}/fire"), lambda w: {"trigger": "invite",
                                                     "version": version(w, "KP")})),
    ("POST", "/conferences/<int:conference_id>/minutes.docx"): Route("final", "write", post(
        _i("KH", "/conferences/{}/minutes.docx"))),
    ("GET", "/conferences/<int:conference_id>/documents/<int:document_id>"): Route(
        "final", "read", get(lambda w: f"/conferences/{w.ids['KM']}/documents/{w.ids['KD']}")),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/conferences"): Route("final", "read", get(
        _i("C", "/api/v1/campaigns/{}/conferences"))),
    ("POST", "/api/v1/campaigns/<int:campaign_id>/conferences"): Route("final", "write", api_post(
        _i("C", "/api/v1/campaigns/{}/conferences"), lambda w: {
            "kind": "thematic", "topic": "Chuyển đổi số", "date": "2025-12-20",
            "place": "Hội trường Bộ Tư pháp", "host_unit_id": w.bloc.units["btp"],
            "agenda": [{"title": "Báo cáo chuyên đề", "presenter": "Bộ Tư pháp"}]})),
    ("POST", "/conferences/<int:conference_id>/signed-minutes"): Route("final", "write", post(
        _i("KM", "/conferences/{}/signed-minutes"),
        lambda w: {"file": (io.BytesIO(PDF), "bien-ban-da-ky.pdf")})),
    ("GET", "/supervision"): Route("final", "page", get(lambda w: "/supervision?year=2025")),
    ("POST", "/supervision/assignments"): Route("final", "write", post(
        lambda w: "/supervision/assignments",
        lambda w: {"user_id": str(w.bloc.users["hd_member"]), "cluster_id": str(w.bloc.cluster)})),
    ("POST", "/supervision/assignments/<int:grant_id>/end"): Route("final", "write", post(
        _i("SG", "/supervision/assignments/{}/end?year=2025"))),
    ("GET", "/supervision/clusters/<int:cluster_id>"): Route("final", "page", get(
        lambda w: f"/supervision/clusters/{w.bloc.cluster}")),
    ("POST", "/supervision/clusters/<int:cluster_id>/notes"): Route("final", "write", post(
        lambda w: f"/supervision/clusters/{w.bloc.cluster}/notes",
        lambda w: {"date": "15/12/2025", "content": "Kiểm tra tiến độ chấm điểm",
                   "recommendations": ""})),
    ("GET", "/supervision/items/<int:item_id>"): Route("final", "read", get(
        _i("SV", "/supervision/items/{}"))),
    ("GET", "/api/v1/supervision/assignments"): Route("final", "read", get(
        lambda w: "/api/v1/supervision/assignments?year=2025")),
    ("POST", "/api/v1/supervision/assignments"): Route("final", "write", api_post(
        lambda w: "/api/v1/supervision/assignments",
        lambda w: {"user_id": w.bloc.users["hd_member"], "cluster_id": w.bloc.cluster})),
    ("DELETE", "/api/v1/supervision/assignments/<int:grant_id>"): Route(
        "final", "write", lambda w, role: w.clients[role].delete(
            f"/api/v1/supervision/assignments/{w.ids['SG']}", headers=w.headers[role])),
    ("GET", "/api/v1/clusters/<int:cluster_id>/supervision-notes"): Route("final", "read", get(
        lambda w: f"/api/v1/clusters/{w.bloc.cluster}/supervision-notes")),
    ("POST", "/api/v1/clusters/<int:cluster_id>/supervision-notes"): Route(
        "final", "write", api_post(
            lambda w: f"/api/v1/clusters/{w.bloc.cluster}/supervision-notes",
            lambda w: {"date": "2025-12-15", "content": "Kiểm tra tiến độ chấm điểm"})),
    ("GET", "/campaigns/<int:campaign_id>/department-data"): Route("final", "read", get(
        _i("C", "/campaigns/{}/department-data"))),
    ("POST", "/campaigns/<int:campaign_id>/department-data"): Route("final", "write", post(
        _i("C", "/campaigns/{}/department-data"),
        lambda w: {f"v-hoan_thanh_chi_tieu-{w.bloc.units['bca']}": "90"})),
    ("GET", "/campaigns/<int:campaign_id>/department-data/template.xlsx"): Route(
        "final", "read", get(_i("C", "/campaigns/{}/department-data/template.xlsx"))),
    ("POST", "/campaigns/<int:campaign_id>/department-data/import"): Route("final", "write", post(
        _i("C", "/campaigns/{}/department-data/import"))),
    ("GET", "/department-data/<int:item_id>"): Route("final", "read", get(
        _i("C", "/department-data/{}"))),
    ("POST", "/reports/<int:report_id>/results"): Route("mid", "write", post(
        _i("R", "/reports/{}/results"), lambda w: {
            "r-hoan_thanh_chi_tieu": "40", "version": version(w, "R")})),
    ("GET", "/campaigns/<int:campaign_id>/mid-year-targets"): Route("final", "read", get(
        _i("C", "/campaigns/{}/mid-year-targets"))),
    ("POST", "/score-sheets/<int:sheet_id>/keep-unit-result"): Route("final", "write", post(
        _i("S2", "/score-sheets/{}/keep-unit-result"), lambda w: {
            "criterion": "hoan_thanh_chi_tieu", "comment": "Đã đối chiếu",
            "version": version(w, "S2")})),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/department-figures"): Route("final", "read", get(
        _i("C", "/api/v1/campaigns/{}/department-figures"))),
    ("POST", "/api/v1/campaigns/<int:campaign_id>/department-figures"): Route(
        "final", "write", api_post(_i("C", "/api/v1/campaigns/{}/department-figures"),
                                   lambda w: {"values": {"hoan_thanh_chi_tieu": {
                                       str(w.bloc.units["bca"]): "90"}}})),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/mid-year-pace"): Route("final", "read", get(
        _i("C", "/api/v1/campaigns/{}/mid-year-pace"))),
    ("GET", "/campaigns/<int:campaign_id>/models"): Route("final", "read", get(
        _i("C", "/campaigns/{}/models"))),
    ("POST", "/campaigns/<int:campaign_id>/models"): Route("final", "write", post(
        _i("C", "/campaigns/{}/models"), lambda w: {**model_form(), "unit_id": str(
            w.bloc.units["bca"])})),
    ("GET", "/models/<int:model_id>"): Route("final", "read", get(_i("MA", "/models/{}"))),
    ("POST", "/models/<int:model_id>/edit"): Route("final", "write", post(
        _i("MD", "/models/{}/edit"), lambda w: {**model_form(), "results": "Giảm 50%",
                                                "version": version(w, "MD")})),
    ("POST", "/models/<int:model_id>/fire"): Route("final", "write", post(
        _i("MS", "/models/{}/fire"), lambda w: {"trigger": "accept",
                                                "version": version(w, "MS")})),
    ("POST", "/models/<int:model_id>/evidence"): Route("final", "write", post(
        _i("MD", "/models/{}/evidence"), lambda w: {"file": pdf()})),
    ("GET", "/models/<int:model_id>/documents/<int:document_id>"): Route("final", "read", get(
        lambda w: f"/models/{w.ids['MA']}/documents/{w.ids['MED']}")),
    ("POST", "/models/<int:model_id>/present"): Route("final", "write", post(
        _i("MA", "/models/{}/present"), lambda w: {"conference_id": str(w.ids["KP"]),
                                                   "version": version(w, "MA")})),
    ("POST", "/models/<int:model_id>/spread"): Route("final", "write", post(
        _i("MA", "/models/{}/spread"), lambda w: {"units": str(w.bloc.units["bqp"]),
                                                  "version": version(w, "MA")})),
    ("GET", "/adoptions/<int:adoption_id>"): Route("final", "read", get(
        _i("AD", "/adoptions/{}"))),
    ("POST", "/adoptions/<int:adoption_id>/adopt"): Route("final", "write", post(
        _i("AD", "/adoptions/{}/adopt"), lambda w: {"date": "01/07/2025", "how": "Áp dụng",
                                                    "version": version(w, "AD")})),
    ("POST", "/adoptions/<int:adoption_id>/results"): Route("final", "write", post(
        _i("AA", "/adoptions/{}/results"), lambda w: {"results": "Giảm 30%",
                                                      "version": version(w, "AA")})),
    ("POST", "/adoptions/<int:adoption_id>/fire"): Route("final", "write", post(
        _i("AD", "/adoptions/{}/fire"), lambda w: {"trigger": "decline", "comment": "Chưa phù hợp",
                                                   "version": version(w, "AD")})),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/models"): Route("final", "read", get(
        _i("C", "/api/v1/campaigns/{}/models"))),
    ("POST", "/api/v1/campaigns/<int:campaign_id>/models"): Route("final", "write", api_post(
        _i("C", "/api/v1/campaigns/{}/models"), lambda w: {**model_form(),
                                                           "unit_id": w.bloc.units["bca"]})),
    ("GET", "/api/v1/models/<int:model_id>"): Route("final", "read", get(
        _i("MA", "/api/v1/models/{}"))),
    ("POST", "/dossiers/<int:dossier_id>/exemplary-models"): Route("final", "write", post(
        _i("D", "/dossiers/{}/exemplary-models"))),
    ("GET", "/votes/<int:session_id>"): Route("final", "read", get(_i("V1", "/votes/{}"))),
    ("POST", "/votes/<int:session_id>/confirm"): Route("final", "page", post(
        _i("V1", "/votes/{}/confirm"), lambda w: {f"choice-{FLAG}": str(w.bloc.units["bqp"])})),
    ("POST", "/votes/<int:session_id>/cast"): Route("final", "write", post(
        _i("V1", "/votes/{}/cast"), lambda w: {f"choice-{FLAG}": str(w.bloc.units["bqp"])})),
    ("POST", "/votes/<int:session_id>/fire"): Route("final", "write", post(
        _i("V1", "/votes/{}/fire"), lambda w: {"trigger": "close", "comment": REASON, "version": version(w, "V1")})),
    ("GET", "/votes/<int:session_id>/minutes"): Route("final", "read", get(
        _i("V2", "/votes/{}/minutes"))),
    ("GET", "/votes/<int:session_id>/committee"): Route("final", "read", get(
        _i("V1", "/votes/{}/committee"))),
    ("POST", "/votes/<int:session_id>/share"): Route("final", "write", post(
        _i("V1", "/votes/{}/share"))),
    ("POST", "/votes/<int:session_id>/share.txt"): Route("final", "read", post(
        _i("V1", "/votes/{}/share.txt"), lambda w: {"share": "TDKP-1-" + "0" * 32})),
    ("POST", "/votes/<int:session_id>/release"): Route("final", "write", post(
        _i("V1", "/votes/{}/release"), lambda w: {"share": "TDKP-1-" + "0" * 32})),
    ("GET", "/votes/<int:session_id>/receipts"): Route("final", "read", get(
        _i("V1", "/votes/{}/receipts"))),
    ("POST", "/votes/<int:session_id>/paper"): Route("final", "write", post(
        _i("V1", "/votes/{}/paper"), lambda w: {"ballots": "8", "blank": "0", **{
            f"votes-{FLAG}-{w.bloc.units[c]}": "1" for c in ("bca", "bqp")}})),
    ("GET", "/api/v1/votes/<int:session_id>/committee"): Route("final", "read", get(
        _i("V1", "/api/v1/votes/{}/committee"))),
    ("POST", "/api/v1/votes/<int:session_id>/share"): Route("final", "write", api_post(
        _i("V1", "/api/v1/votes/{}/share"), lambda w: {})),
    ("POST", "/api/v1/votes/<int:session_id>/share/release"): Route("final", "write", api_post(
        _i("V1", "/api/v1/votes/{}/share/release"), lambda w: {"share": "TDKP-1-" + "0" * 32})),
    ("GET", "/api/v1/votes/<int:session_id>/receipts"): Route("final", "read", get(
        _i("V1", "/api/v1/votes/{}/receipts"))),
    ("GET", "/pledges/<int:pledge_id>"): Route("draft", "read", get(_i("P", "/pledges/{}"))),
    ("POST", "/pledges/<int:pledge_id>/targets"): Route("draft", "write", post(
        _i("P", "/pledges/{}/targets"),
        lambda w: {**{f"target:{k}": "90,5" for k in targets(w.bloc)}, "version": version(w, "P")})),
    ("POST", "/pledges/<int:pledge_id>/fire"): Route("draft", "write", post(
        _i("P", "/pledges/{}/fire"), lambda w: {"trigger": "submit", "version": version(w, "P")})),
    ("POST", "/pledges/<int:pledge_id>/documents"): Route("draft", "write", post(
        _i("P", "/pledges/{}/documents"), lambda w: {"file": pdf()})),
    ("GET", "/reports/<int:report_id>"): Route("mid", "read", get(_i("R", "/reports/{}"))),
    ("POST", "/reports/<int:report_id>/fire"): Route("mid", "write", post(
        _i("R", "/reports/{}/fire"), lambda w: {"trigger": "accept", "version": version(w, "R")})),
    ("POST", "/reports/<int:report_id>/documents"): Route("mid", "write", post(
        _i("R", "/reports/{}/documents"), lambda w: {"file": pdf()})),
    ("GET", "/items/<int:item_id>/documents/<int:document_id>"): Route(
        "final", "read", get(lambda w: f"/items/{w.ids['S']}/documents/{w.ids['E']}")),
    ("POST", "/votes/<int:session_id>/minutes"): Route("final", "write", post(
        _i("V1", "/votes/{}/minutes"), lambda w: {"member_name": "Trần Văn B",
                                                  "member_role": "Thư ký"})),
    ("GET", "/dossiers/<int:dossier_id>"): Route("final", "page", get(_i("D", "/dossiers/{}"))),
    ("POST", "/dossiers/<int:dossier_id>/documents"): Route("final", "write", post(
        _i("D", "/dossiers/{}/documents"), lambda w: {"kind": "bao_cao_thanh_tich",
                                                      "file": pdf()})),
    ("POST", "/dossiers/<int:dossier_id>/letter"): Route("final", "write", post(
        _i("D", "/dossiers/{}/letter"), lambda w: {
            "number": "12/TTr-KNC", "signer_position": "Khối trưởng",
            "signer_name": "Nguyễn Văn A"})),
    ("POST", "/dossiers/<int:dossier_id>/minutes"): Route("final", "write", post(
        _i("D", "/dossiers/{}/minutes"))),
    ("POST", "/dossiers/<int:dossier_id>/fire"): Route("final", "write", post(
        _i("D", "/dossiers/{}/fire"), lambda w: {"trigger": "submit",
                                                 "version": version(w, "D")})),
    ("POST", "/dossiers/<int:dossier_id>/return"): Route("final", "write", post(
        _i("D", "/dossiers/{}/return"), lambda w: {
            "missing": "bao_cao_thanh_tich", "comment": "Bổ sung báo cáo",
            "version": version(w, "D")})),
    ("POST", "/votes/<int:session_id>/dossiers"): Route("final", "write", post(
        _i("V2", "/votes/{}/dossiers"))),
    ("POST", "/api/v1/votes/<int:session_id>/dossiers"): Route("final", "write", api_post(
        _i("V2", "/api/v1/votes/{}/dossiers"), lambda w: {})),
    ("GET", "/api/v1/dossiers/<int:dossier_id>/clock"): Route("final", "read", get(
        _i("D", "/api/v1/dossiers/{}/clock"))),
    # issue 15: organisations, people, tokens, the year, the council
    ("POST", "/api/v1/units"): Route("final", "write", api_post(
        lambda w: "/api/v1/units", lambda w: {"code": "MOI", "name": "Đơn vị mới"})),
    ("GET", "/api/v1/units"): Route("final", "read", get(lambda w: "/api/v1/units?q=b")),
    ("GET", "/api/v1/units/<int:unit_id>"): Route("final", "read", get(
        lambda w: f"/api/v1/units/{w.bloc.units['bca']}")),
    ("POST", "/api/v1/clusters"): Route("final", "write", api_post(
        lambda w: "/api/v1/clusters", lambda w: {
            "code": "MOI", "name": "Khối mới", "kind": "khoi", "year": YEAR,
            "members": [w.bloc.units["bca"]]})),
    ("GET", "/api/v1/clusters"): Route("final", "read", get(lambda w: "/api/v1/clusters")),
    ("GET", "/api/v1/clusters/<int:cluster_id>"): Route("final", "read", get(
        lambda w: f"/api/v1/clusters/{w.bloc.cluster}")),
    ("GET", "/api/v1/clusters/<int:cluster_id>/members"): Route("final", "read", get(
        lambda w: f"/api/v1/clusters/{w.bloc.cluster}/members")),
    ("POST", "/api/v1/people"): Route("final", "write", api_post(
        lambda w: "/api/v1/people", lambda w: {"username": "nguoi_moi",
                                               "full_name": "Người Mới"})),
    ("GET", "/api/v1/people"): Route("final", "read", get(lambda w: "/api/v1/people?q=bca")),
    ("GET", "/api/v1/people/<int:user_id>"): Route("final", "read", get(
        lambda w: f"/api/v1/people/{w.bloc.users['bca_officer']}")),
    ("POST", "/api/v1/people/<int:user_id>/roles"): Route("final", "write", api_post(
        _i("spare", "/api/v1/people/{}/roles"),
        lambda w: {"role": "unit_officer", "unit_id": w.bloc.units["bca"], "year": YEAR})),
    ("GET", "/api/v1/people/<int:user_id>/tokens"): Route("final", "read", get(
        lambda w: f"/api/v1/people/{w.bloc.users['bca_officer']}/tokens")),
    # tokens are left out of the fingerprint (each request marks its token used): "read"
    ("POST", "/api/v1/people/<int:user_id>/tokens"): Route("final", "read", api_post(
        lambda w: f"/api/v1/people/{w.bloc.users['bca_officer']}/tokens",
        lambda w: {"name": "máy trạm"})),
    ("DELETE", "/api/v1/people/<int:user_id>/tokens/<int:token_id>"): Route(
        "final", "read", lambda w, role: w.clients[role].delete(
            f"/api/v1/people/{w.bloc.users['bca_officer']}/tokens/{w.ids['TK']}",
            headers=w.headers[role])),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/items"): Route("final", "read", get(
        _i("C", "/api/v1/campaigns/{}/items?workflow=pledge"))),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/criteria"): Route("final", "read", get(
        _i("C", "/api/v1/campaigns/{}/criteria"))),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/ranking"): Route("final", "read", get(
        _i("C", "/api/v1/campaigns/{}/ranking"))),
    ("GET", "/api/v1/campaigns/<int:campaign_id>/inspection-plan"): Route("mid", "read", get(
        _i("C", "/api/v1/campaigns/{}/inspection-plan"))),
    ("GET", "/api/v1/items/<int:item_id>/documents"): Route("final", "read", get(
        _i("S", "/api/v1/items/{}/documents"))),
    ("GET", "/api/v1/items/<int:item_id>/documents/<int:document_id>"): Route(
        "final", "read", get(lambda w: f"/api/v1/items/{w.ids['S']}/documents/{w.ids['E']}")),
    ("POST", "/api/v1/votes/<int:session_id>/minutes"): Route("final", "write", api_post(
        _i("V1", "/api/v1/votes/{}/minutes"),
        lambda w: {"committee": [{"name": "Trần Văn B", "role": "Thư ký"}]})),
    ("POST", "/api/v1/dossiers/<int:dossier_id>/letter"): Route("final", "write", api_post(
        _i("D", "/api/v1/dossiers/{}/letter"), lambda w: {
            "number": "12/TTr-KNC", "signer_position": "KHỐI TRƯỞNG",
            "signer_name": "Nguyễn Văn A"})),
    ("GET", "/api/v1/council/<int:year>/dossiers"): Route("final", "read", get(
        lambda w: f"/api/v1/council/{YEAR}/dossiers")),
    ("GET", "/api/v1/council/<int:year>/members"): Route("final", "read", get(
        lambda w: f"/api/v1/council/{YEAR}/members")),
    ("GET", "/api/v1/council/<int:year>/sessions"): Route("final", "read", get(
        lambda w: f"/api/v1/council/{YEAR}/sessions")),
    ("POST", "/api/v1/council/<int:year>/sessions"): Route("final", "write", api_post(
        lambda w: f"/api/v1/council/{YEAR}/sessions", lambda w: {
            "dossier_ids": [w.ids["D"]],
            "meeting": {"date": "2026-03-02", "time": "08:00", "place": "Hà Nội"}})),
    ("POST", "/api/v1/votes/<int:session_id>/attendance"): Route("final", "write", api_post(
        _i("V1", "/api/v1/votes/{}/attendance"),
        lambda w: {"present": list(w.bloc.units.values()), "version": int(version(w, "V1"))})),
    ("GET", "/api/v1/votes/<int:session_id>/turnout"): Route("final", "read", get(
        _i("V1", "/api/v1/votes/{}/turnout"))),
    ("POST", "/api/v1/votes/<int:session_id>/council-results"): Route("final", "write", api_post(
        _i("V2", "/api/v1/votes/{}/council-results"), lambda w: {})),
    ("POST", "/api/v1/dossiers/<int:dossier_id>/decision"): Route("final", "write", api_post(
        _i("D", "/api/v1/dossiers/{}/decision"), lambda w: {
            "outcome": "approved", "reasons": "Dẫn đầu", "number": "1/QĐ-TTg",
            "date": "2026-03-02", "version": int(version(w, "D"))})),
    ("POST", "/api/v1/dossiers/<int:dossier_id>/announce"): Route("final", "write", api_post(
        _i("D", "/api/v1/dossiers/{}/announce"), lambda w: {"version": int(version(w, "D"))})),
    ("POST", "/api/v1/dossiers/<int:dossier_id>/revoke"): Route("final", "write", api_post(
        _i("D", "/api/v1/dossiers/{}/revoke"), lambda w: {
            "comment": "Không đúng sự thật", "version": int(version(w, "D"))})),
    ("POST", "/api/v1/dossiers/<int:dossier_id>/return"): Route("final", "write", api_post(
        _i("D", "/api/v1/dossiers/{}/return"), lambda w: {
            "missing": ["bao_cao_thanh_tich"], "comment": "Bổ sung",
            "version": int(version(w, "D"))})),
    ("POST", "/api/v1/inspections/<int:inspection_id>/minutes"): Route("inspecting", "read",
                                                                     api_post(
        _i("I", "/api/v1/inspections/{}/minutes"), lambda w: {})),
    ("GET", "/api/v1/dossiers/<int:dossier_id>/objections"): Route("final", "read", get(
        _i("D", "/api/v1/dossiers/{}/objections"))),
    ("POST", "/api/v1/dossiers/<int:dossier_id>/objections/<int:objection_id>/judge"): Route(
        "final", "write", api_post(
            lambda w: f"/api/v1/dossiers/{w.ids['D']}/objections/{w.ids['O1']}/judge",
            lambda w: {"admissible": False, "reason": "Không có căn cứ"})),
    ("POST", "/api/v1/dossiers/<int:dossier_id>/objections/<int:objection_id>/answer"): Route(
        "final", "write", api_post(
            lambda w: f"/api/v1/dossiers/{w.ids['D']}/objections/{w.ids['O2']}/answer",
            lambda w: {"answer": "Đã kiểm tra lại số liệu"})),
    ("GET", "/campaigns/<int:campaign_id>/votes/new"): Route("final", "read", get(
        _i("C", "/campaigns/{}/votes/new"))),
    ("POST", "/campaigns/<int:campaign_id>/votes"): Route("final", "write", post(
        _i("C", "/campaigns/{}/votes"), lambda w: {
            "title": FLAG, f"candidate-{FLAG}": str(w.bloc.units["bca"]), "date": "2025-12-19",
            "time": "08:30", "place": "Hà Nội", "conference": "Hội nghị tổng kết"})),
    ("GET", "/admin/"): Route("final", "read", get(lambda w: "/admin/")),
    ("GET", "/admin/definitions"): Route("final", "read", get(lambda w: "/admin/definitions")),
    ("GET", "/admin/definitions/new"): Route("final", "read", get(
        lambda w: "/admin/definitions/new")),
    ("POST", "/admin/definitions/new"): Route("final", "write", post(
        lambda w: "/admin/definitions/new", lambda w: {"name": "quy_trinh_moi"})),
    ("GET", "/admin/definitions/<name>/edit"): Route("final", "read", get(
        lambda w: "/admin/definitions/report/edit")),
    ("POST", "/admin/definitions/<name>/edit"): Route("final", "write", post(
        lambda w: "/admin/definitions/report/edit",
        lambda w: {"action": "save", "source_text": DEFINITION})),
    ("GET", "/admin/definitions/<name>/migrate"): Route("final", "read", get(
        lambda w: "/admin/definitions/report/migrate")),
    ("POST", "/admin/definitions/<name>/migrate"): Route("final", "read", post(
        lambda w: "/admin/definitions/report/migrate",
        lambda w: {"action": "dry_run", "to_version": "1"})),
    ("GET", "/admin/people"): Route("final", "read", get(lambda w: "/admin/people")),
    ("POST", "/admin/people/create"): Route("final", "write", post(
        lambda w: "/admin/people/create", lambda w: {
            "username": "nguoi_moi", "full_name": "Người Mới", "password": "mat-khau-dai"})),
    ("POST", "/admin/people/grant"): Route("final", "write", post(
        lambda w: "/admin/people/grant", lambda w: {
            "username": "nhan_vien_nghi", "role": "unit_officer",
            "unit_id": str(w.bloc.units["bqp"]), "year": "2025"})),
    ("POST", "/admin/people/<int:user_id>/active"): Route("final", "write", post(
        _i("spare", "/admin/people/{}/active"), lambda w: {"active": "0"})),
    ("POST", "/admin/people/<int:user_id>/reset-password"): Route("final", "write", post(
        _i("spare", "/admin/people/{}/reset-password"))),
    ("GET", "/admin/units"): Route("final", "read", get(lambda w: "/admin/units")),
    ("POST", "/admin/units/create"): Route("final", "write", post(
        lambda w: "/admin/units/create", lambda w: {"code": "DVM", "name": "Đơn vị mới"})),
    ("GET", "/admin/clusters"): Route("final", "read", get(lambda w: "/admin/clusters")),
    ("POST", "/admin/clusters/create"): Route("final", "write", post(
        lambda w: "/admin/clusters/create", lambda w: {
            "code": "K9", "name": "Khối mới", "kind": "khoi", "year": "2025",
            "members": str(w.bloc.units["bqp"])})),
    ("GET", "/admin/rules"): Route("final", "read", get(lambda w: "/admin/rules")),
    ("GET", "/admin/deliveries"): Route("final", "read", get(lambda w: "/admin/deliveries")),
    ("GET", "/admin/people/<int:user_id>"): Route("final", "read", get(
        _i("spare", "/admin/people/{}"))),
    ("POST", "/admin/people/<int:user_id>/edit"): Route("final", "write", post(
        _i("spare", "/admin/people/{}/edit"), lambda w: {
            "full_name": "Nhân Viên Nghỉ Phép", "email": "nghi@example.vn", "unit_id": ""})),
    ("POST", "/admin/people/<int:user_id>/grants/<int:grant_id>/revoke"): Route(
        "final", "write", post(lambda w: "/admin/people/{}/grants/{}/revoke".format(
            w.bloc.users["bqp_clerk"], _grant_of(w, "bqp_clerk")))),
    ("POST", "/admin/people/<int:user_id>/tokens"): Route("final", "write", post(
        _i("spare", "/admin/people/{}/tokens"), lambda w: {
            "name": "Cổng dữ liệu", "expires_on": _in_days(w, 30)})),
    ("POST", "/admin/people/<int:user_id>/tokens/<int:token_id>/revoke"): Route(
        "final", "write", post(lambda w: "/admin/people/{}/tokens/{}/revoke".format(
            w.bloc.users["bca_officer"], _token_of(w, "bca_officer")))),
    ("GET", "/admin/changes"): Route("final", "read", get(lambda w: "/admin/changes")),
    ("GET", "/admin/units/<int:unit_id>"): Route("final", "read", get(
        lambda w: f"/admin/units/{w.bloc.units['ttcp']}")),
    ("POST", "/admin/units/<int:unit_id>"): Route("final", "write", post(
        lambda w: f"/admin/units/{w.bloc.units['ttcp']}", lambda w: {
            "name": "Thanh tra Chính phủ (mới)", "parent_id": ""})),
    ("GET", "/admin/clusters/<int:cluster_id>"): Route("final", "read", get(
        lambda w: f"/admin/clusters/{w.bloc.cluster}")),
    ("POST", "/admin/clusters/<int:cluster_id>"): Route("final", "write", post(
        lambda w: f"/admin/clusters/{w.bloc.cluster}", lambda w: {
            "name": "Khối Nội chính", "member_order": "BTP, LANG, BQP, BCA, TANDTC, VKSNDTC, "
            "TTCP, KTNN", "leader_unit_id": str(w.bloc.units["btp"]),
            "deputy_unit_id": str(w.bloc.units["bqp"])})),
    ("GET", "/account/tokens"): Route("final", "page", get(lambda w: "/account/tokens")),
    ("POST", "/account/tokens"): Route("final", "write", post(
        lambda w: "/account/tokens", lambda w: {
            "name": "Bảng tin", "expires_on": _in_days(w, 30)})),
    ("POST", "/account/tokens/<int:token_id>/revoke"): Route("final", "write", post(
        lambda w: f"/account/tokens/{_token_of(w, 'bca_officer')}/revoke")),
    ("GET", "/next-year/"): Route("final", "page", get(lambda w: f"/next-year/?year={YEAR}")),
    ("POST", "/next-year/"): Route("final", "write", post(
        lambda w: "/next-year/", lambda w: {
            "year": str(YEAR), "include-0": "1", "code-0": "KNC", "name-0": "Khối 2026",
            "members-0": "BTP, LANG", "leader-0": str(w.bloc.units["lang"]),
            "deputy-0": str(w.bloc.units["btp"])})),
    ("GET", "/criteria"): Route("final", "page", get(lambda w: "/criteria")),
    ("POST", "/criteria/<code>/copy"): Route("final", "write", post(
        lambda w: "/criteria/khoi_noi_chinh/copy", lambda w: {"mode": "version"})),
    ("GET", "/criteria/<code>/edit"): Route("final", "read", get(
        lambda w: "/criteria/khoi_noi_chinh/edit")),
    ("POST", "/criteria/<code>/edit"): Route("final", "write", post(
        lambda w: "/criteria/khoi_noi_chinh/edit",
        lambda w: {"action": "save", "source_text": CRITERIA})),
    ("GET", "/criteria/<code>/versions/<int:version>"): Route("final", "page", get(
        lambda w: "/criteria/khoi_noi_chinh/versions/1")),
    ("GET", "/api/openapi.json"): Route("final", "read", get(lambda w: "/api/openapi.json")),
    ("GET", "/clusters"): Route("final", "read", get(lambda w: "/clusters")),
    ("GET", "/clusters/<int:cluster_id>"): Route("final", "read", get(
        lambda w: f"/clusters/{w.bloc.cluster}")),
    ("POST", "/clusters/<int:cluster_id>/campaigns"): Route("final", "write", post(
        lambda w: f"/clusters/{w.bloc.cluster}/campaigns", lambda w: {
            **{k: v for k, v in THEMATIC.items() if k != "dates"}, **DATES})),
    ("GET", "/campaigns/<int:campaign_id>/plan"): Route("draft", "page", get(
        _i("CD", "/campaigns/{}/plan"))),
    ("POST", "/campaigns/<int:campaign_id>/plan"): Route("draft", "write", post(
        _i("CD", "/campaigns/{}/plan"), lambda w: {
            **{k: v for k, v in THEMATIC.items() if k != "dates"}, **DATES,
            "theme": "Chủ đề đã sửa", "version": version(w, "CD")})),
    ("POST", "/campaigns/<int:campaign_id>/launch"): Route("draft", "write", post(
        _i("CD", "/campaigns/{}/launch"), lambda w: {"version": version(w, "CD")})),
    ("POST", "/api/v1/campaigns"): Route("final", "write", api_post(
        lambda w: "/api/v1/campaigns", lambda w: {**THEMATIC, "cluster_id": w.bloc.cluster})),
    ("POST", "/api/v1/campaigns/<int:campaign_id>/launch"): Route("draft", "write", api_post(
        _i("CD", "/api/v1/campaigns/{}/launch"), lambda w: {"version": int(version(w, "CD"))})),
    ("GET", "/api/v1/clusters/<int:cluster_id>/campaigns"): Route("final", "read", get(
        lambda w: f"/api/v1/clusters/{w.bloc.cluster}/campaigns")),
    ("GET", "/api/v1/me"): Route("final", "read", get(lambda w: "/api/v1/me")),
    ("GET", "/api/v1/inbox"): Route("final", "read", get(lambda w: "/api/v1/inbox")),
    ("GET", "/api/v1/items/<int:item_id>"): Route("draft", "read", get(
        _i("P", "/api/v1/items/{}"))),
    ("GET", "/api/v1/items/<int:item_id>/history"): Route("draft", "read", get(
        _i("P", "/api/v1/items/{}/history"))),
    ("POST", "/api/v1/items/<int:item_id>/fire"): Route("draft", "write", api_post(
        _i("P", "/api/v1/items/{}/fire"),
        lambda w: {"trigger": "submit", "version": int(version(w, "P"))})),
    ("POST", "/api/v1/items/<int:item_id>/documents"): Route("draft", "write", lambda w, role: (
        w.clients[role].post(f"/api/v1/items/{w.ids['P']}/documents", headers=w.headers[role],
                             data={"kind": "signed_pledge", "file": pdf()},
                             content_type="multipart/form-data"))),
    ("POST", "/api/v1/votes/<int:session_id>/ballots"): Route("final", "write", api_post(
        _i("V1", "/api/v1/votes/{}/ballots"),
        lambda w: {"choices": {FLAG: [w.bloc.units["bqp"]]}})),
    ("GET", "/api/v1/votes/<int:session_id>/result"): Route("final", "read", get(
        _i("V2", "/api/v1/votes/{}/result"))),
    ("POST", "/api/v1/campaigns/<int:campaign_id>/votes"): Route("final", "write", api_post(
        _i("C", "/api/v1/campaigns/{}/votes"), lambda w: {
            "candidates": {FLAG: [w.bloc.units["bca"]]},
            "meeting": {"date": "2025-12-19", "time": "08:30", "place": "Hà Nội",
                        "conference": "Hội nghị tổng kết"}})),
    ("POST", "/api/v1/definitions/validate"): Route("final", "read", api_post(
        lambda w: "/api/v1/definitions/validate", lambda w: {"text": DEFINITION})),
    ("POST", "/api/v1/definitions/publish"): Route("final", "read", api_post(
        lambda w: "/api/v1/definitions/publish",
        lambda w: {"text": DEFINITION, "file": "definitions/report.yaml"})),
    ("GET", "/overview"): Route("final", "page", get(lambda w: "/overview?year=2025")),
    ("GET", "/overview.xlsx"): Route("final", "page", get(lambda w: "/overview.xlsx")),
    ("GET", "/fairness"): Route("final", "page", get(lambda w: "/fairness")),
    ("GET", "/fairness/<code>"): Route("final", "page", get(lambda w: "/fairness/KNC")),
    ("GET", "/council"): Route("final", "read", get(lambda w: "/council")),
    ("GET", "/council/<int:year>"): Route("final", "read", get(lambda w: f"/council/{YEAR}")),
    ("POST", "/council/<int:year>/schedule"): Route("final", "write", post(
        lambda w: f"/council/{YEAR}/schedule",
        lambda w: {"dossier": str(w.ids["D"]), "date": "2026-03-02", "time": "08:00",
                   "place": "Hà Nội"})),
    ("POST", "/votes/<int:session_id>/council-results"): Route("final", "write", post(
        _i("V2", "/votes/{}/council-results"))),
    ("GET", "/dossiers/<int:dossier_id>/decision"): Route("final", "read", get(
        _i("D", "/dossiers/{}/decision"))),
    ("POST", "/dossiers/<int:dossier_id>/decision"): Route("final", "write", post(
        _i("D", "/dossiers/{}/decision"),
        lambda w: {"outcome": "approved", "reasons": "Dẫn đầu", "number": "1/QĐ-TTg",
                   "date": "2026-03-02", "version": version(w, "D")})),
    ("POST", "/dossiers/<int:dossier_id>/announce"): Route("final", "write", post(
        _i("D", "/dossiers/{}/announce"), lambda w: {"version": version(w, "D")})),
    ("POST", "/dossiers/<int:dossier_id>/revoke"): Route("final", "write", post(
        _i("D", "/dossiers/{}/revoke"),
        lambda w: {"comment": "Không đúng sự thật", "version": version(w, "D")})),
    ("GET", "/dossiers/<int:dossier_id>/decision.docx"): Route("final", "read", get(
        _i("D", "/dossiers/{}/decision.docx"))),
    ("GET", "/admin/imports"): Route("final", "page", get(lambda w: "/admin/imports")),
    ("GET", "/admin/imports/template.xlsx"): Route("final", "page", get(
        lambda w: "/admin/imports/template.xlsx")),
    ("POST", "/admin/imports/check"): Route("final", "page", post(
        lambda w: "/admin/imports/check", lambda w: {"year": "2025", "file": import_file()})),
    ("GET", "/admin/imports/<token>/errors"): Route("final", "page", get(
        lambda w: f"/admin/imports/{staged_import(w)}/errors?year=2025")),
    ("POST", "/admin/imports/<token>/commit"): Route("final", "write", post(
        lambda w: f"/admin/imports/{staged_import(w)}/commit", lambda w: {"year": "2025"})),
    ("GET", "/api/v1/imports/template.xlsx"): Route("final", "page", get(
        lambda w: "/api/v1/imports/template.xlsx")),
    ("POST", "/api/v1/imports/dry-run"): Route("final", "page", api_upload(
        lambda w: "/api/v1/imports/dry-run")),
    ("POST", "/api/v1/imports"): Route("final", "write", api_upload(
        lambda w: "/api/v1/imports")),
    ("POST", "/dossiers/<int:dossier_id>/impediments"): Route("final", "write", post(
        _i("D", "/dossiers/{}/impediments"), lambda w: IMPEDIMENT_FORM)),
    ("POST", "/dossiers/<int:dossier_id>/impediments/<int:impediment_id>/close"): Route(
        "final", "write", post(
            lambda w: f"/dossiers/{w.ids['D']}/impediments/{w.ids['IM']}/close",
            lambda w: CLOSURE_FORM)),
    ("GET", "/units/<int:unit_id>/impediments"): Route("final", "page", get(
        lambda w: f"/units/{w.bloc.units['bca']}/impediments")),
    ("POST", "/units/<int:unit_id>/impediments"): Route("final", "write", post(
        lambda w: f"/units/{w.bloc.units['bca']}/impediments", lambda w: IMPEDIMENT_FORM)),
    ("POST", "/units/<int:unit_id>/impediments/<int:impediment_id>/close"): Route(
        "final", "write", post(
            lambda w: f"/units/{w.bloc.units['bca']}/impediments/{w.ids['IM']}/close",
            lambda w: CLOSURE_FORM)),
    ("GET", "/api/v1/impediments"): Route("final", "read", get(
        lambda w: "/api/v1/impediments")),
    ("POST", "/api/v1/impediments"): Route("final", "write", api_post(
        lambda w: "/api/v1/impediments", lambda w: {
            "unit_id": w.bloc.units["bca"], "kind": "complaint", "reference": "Đơn 1/ĐTC",
            "start": "2027-01-01"})),
    ("GET", "/api/v1/impediments/<int:impediment_id>"): Route("final", "read", get(
        _i("IM", "/api/v1/impediments/{}"))),
    ("POST", "/api/v1/impediments/<int:impediment_id>/close"): Route("final", "write", api_post(
        _i("IM", "/api/v1/impediments/{}/close"), lambda w: {
            "closed_on": "2027-02-01", "outcome": "no_violation", "reference": "KL 1/KL"})),
}


def outcome(response: TestResponse, kind: str, wrote: bool) -> str | int:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and location.split("?")[0].endswith("/login") and \
            "next=" in location:
        return "login"
    if status >= 400:
        return status
    if kind == "write":
        return "ok" if wrote else "refused"
    if kind == "page":
        return "ok" if status == 200 else "refused"
    return "ok"


SCOPE_ROUTES: dict[tuple[str, str], Route] = {
    ("team:GET", "/pledges/IPg"): Route("inspecting", "read", get(_i("IPg", "/pledges/{}"))),
    ("team:GET", "/items/IPg/documents/IP"): Route("inspecting", "read", get(
        lambda w: f"/items/{w.ids['IPg']}/documents/{w.ids['IP']}")),
    ("team:GET", "/api/v1/items/IPg"): Route("inspecting", "read", get(
        _i("IPg", "/api/v1/items/{}"))),
    ("team:GET", "/inspections/I_bca"): Route("inspecting", "read", get(
        _i("I_bca", "/inspections/{}"))),
    ("team:GET", "/api/v1/items/I"): Route("inspecting", "read", get(_i("I", "/api/v1/items/{}"))),
    ("year:GET", "/api/v1/items/V2"): Route("final", "read", get(_i("V2", "/api/v1/items/{}"))),
    ("year:GET", "/votes/V2/minutes"): Route("final", "read", get(_i("V2", "/votes/{}/minutes"))),
    ("export:POST", "/campaigns/C/ranking.xlsx"): Route("final", "write", post(
        _i("C", "/campaigns/{}/ranking.xlsx"))),
}


def app_routes(app: Flask) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}


# --- the tests ------------------------------------------------------------------------------------


def test_the_table_covers_every_route_of_the_app_and_nothing_else(world: World) -> None:
    routes = app_routes(world.app)

    assert sorted(routes - set(EXPECTED)) == [], "routes missing from EXPECTED_TABLE"
    assert sorted(set(EXPECTED) - routes) == [], "EXPECTED_TABLE rows that match no route"
    assert set(ROUTES) == set(EXPECTED), "every row needs a probe in ROUTES"


def test_every_role_gets_the_expected_answer_on_every_route(world: World) -> None:
    engine = world.services.engine
    wrong: list[str] = []
    cells = 0
    for (method, rule), expected in EXPECTED.items():
        route = ROUTES[(method, rule)]
        for role in ROLES:
            world.at(route.at)
            before = fingerprint(engine)
            response = route.probe(world, role)
            wrote = fingerprint(engine) != before
            if wrote:
                world.current = None  # restore before the next cell
            got = outcome(response, route.kind, wrote)
            body = response.get_data()[:200].decode("utf-8", "replace").replace("\n", " ")
            response.close()
            cells += 1
            if response.status_code >= 500:
                wrong.append(f"{method} {rule} as {role}: {response.status_code}")
            elif method == "GET" and wrote:
                wrong.append(f"{method} {rule} as {role}: a GET wrote to the database")
            elif got != expected[role]:
                wrong.append(f"{method} {rule} as {role}: expected {expected[role]}, got {got} "
                             f"({response.status_code} {body})")
    assert cells == len(EXPECTED) * len(ROLES)
    assert wrong == [], "\n".join(wrong)


def test_the_year_the_inspectors_scope_and_the_exports_on_other_items(world: World) -> None:
    """The SCOPE_TABLE cases: the same routes on the items that tell the year, the inspection
    team and the official export apart."""
    assert set(SCOPE_ROUTES) == set(SCOPE)
    engine = world.services.engine
    wrong: list[str] = []
    for (case, rule), expected in SCOPE.items():
        route = SCOPE_ROUTES[(case, rule)]
        for role in ROLES:
            world.at(route.at)
            before = fingerprint(engine)
            response = route.probe(world, role)
            wrote = fingerprint(engine) != before
            if wrote:
                world.current = None
            got = outcome(response, route.kind, wrote)
            response.close()
            if got != expected[role]:
                wrong.append(f"{case} {rule} as {role}: expected {expected[role]}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_a_refused_answer_says_why_and_writes_nothing(world: World) -> None:
    """The "refused" class is a flashed reason, never a silent success."""
    world.at("final")
    client = world.clients["lead"]
    response = client.post(f"/score-sheets/{world.ids['S']}/scores", data={
        "csrf_token": world.tokens["lead"], **score_form(world)}, follow_redirects=True)

    assert response.status_code == 200
    assert 'class="flash error"' in response.get_data(as_text=True)


def test_the_last_years_leader_holds_nothing_this_year(world: World) -> None:
    world.at("final")
    actor = people.actor(world.services.uow(), world.bloc.users["leader_2024"])
    assert actor is not None
    campaign = world.bloc.wf.get(world.ids["C"])

    assert actor.roles_for(None, campaign.cluster_id, campaign.year) == set()
    assert actor.roles_for(None, campaign.cluster_id, 2024) == {"cluster_leader"}


def test_the_snapshots_restore_cleanly(world: World, tmp_path: Path) -> None:
    world.restore("draft")
    assert world.bloc.wf.get(world.ids["P"]).state == "draft"
    world.restore("final")
    assert world.bloc.wf.get(world.ids["V1"]).state == "open"
    assert world.bloc.wf.get(world.ids["V2"]).state == "locked"
