"""``gravity up`` leaves every data folder 0700 and every data file 0600, old ones included."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.factories import make_resident_id


@pytest.fixture
def open_data_dir(tmp_path):
    """A data dir as an older version left it: 0755, with a 0644 file in it."""
    data = tmp_path / "var"
    data.mkdir()
    data.chmod(0o755)
    old = data / "old-export.csv"
    old.write_text("student_id\n")
    old.chmod(0o644)
    return old


def modes_under(root):
    found = {}
    for folder, _folders, files in os.walk(root):
        for path in [folder, *(os.path.join(folder, name) for name in files)]:
            found[os.path.relpath(path, root)] = stat.S_IMODE(os.stat(path).st_mode)
    return found


def test_the_suites_databases_keys_and_folders_are_its_users_alone(open_data_dir, suite):
    operator = {"Authorization": f"Bearer {suite.token('operator', 'op-1')}"}
    api = f"{suite.base_url}/api/v1"
    now = datetime.now(UTC)
    campaign = {
        "name": "Gravity Plan summer",
        "year": now.year,
        "season": "summer",
        "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=30)).isoformat(),
        "scope": "home-district students",
        "practice_content": "host units",
    }
    created = requests.post(f"{api}/campaigns", headers=operator, json=campaign, timeout=10)
    campaign_id = created.json()["campaign_id"]
    requests.post(f"{api}/campaigns/{campaign_id}/open", headers=operator, timeout=10)
    registered = requests.post(
        f"{api}/campaigns/{campaign_id}/registrations",
        headers=operator,
        json={
            "name": "孙悦",
            "phone": "13912345678",
            "id_number": make_resident_id(3),
            "university": "Henan University",
            "major": "Law",
            "grade": "junior",
            "hometown": "Beiguan Town",
            "channel": "organisation",
        },
        timeout=10,
    )
    assert registered.status_code == 201, registered.text
    modes = modes_under(open_data_dir.parent)
    assert {"recruitment.db", "recruitment.db-wal", "gateway.db", "eventlog.db"} <= set(modes)
    assert any(name.startswith("keys/") for name in modes)
    folders = {name for name in modes if os.path.isdir(open_data_dir.parent / name)}
    assert {name: mode for name, mode in modes.items() if name in folders} == dict.fromkeys(
        folders, 0o700
    )
    assert {name: mode for name, mode in modes.items() if name not in folders} == dict.fromkeys(
        set(modes) - folders, 0o600
    )
    log = suite.log_path.read_text()
    assert "data_files.tightened" in log
    assert str(open_data_dir) in log
