"""Every environment variable cnnviz reads is read by `cnnviz.settings`, parsed once per
set of values, with its default, and a malformed value is a clear message.

Oracles: the variables set by hand, and a search of the code for other readers.
"""

import re
from pathlib import Path

import pytest

from cnnviz.errors import CnnvizError
from cnnviz.settings import ENV, Settings, settings

ROOT = Path(__file__).resolve().parents[1]


def test_the_defaults_hold_without_any_variable(monkeypatch):
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    assert settings() == Settings()
    assert settings().runs_dir == Path("runs") and not settings().classroom
    assert settings().job_minutes is None


def test_each_variable_sets_its_field(monkeypatch, tmp_path):
    values = {
        "CNNVIZ_RUNS_DIR": str(tmp_path),
        "CNNVIZ_RUNNER": "process",
        "CNNVIZ_MAX_JOBS": "3",
        "CNNVIZ_UPLOADS_MB": "50",
        "CNNVIZ_DESK_UPLOADS_MB": "20",
        "CNNVIZ_DESK_QUOTA_MB": "300",
        "CNNVIZ_MAX_JOB_MINUTES": "2.5",
        "CNNVIZ_WARMUP": "0",
        "CNNVIZ_RAY_ADDRESS": "10.0.0.1:6379",
        "RAY_AUTH_MODE": "token",
        "CNNVIZ_LESSONS_DIR": str(tmp_path / "lessons"),
        "TFDS_DATA_DIR": str(tmp_path / "tfds"),
        "KERAS_HOME": str(tmp_path / "keras"),
        "CNNVIZ_CLASS_CODE": "maple",
        "CNNVIZ_TEACHER_CODE": "a-long-teacher-code",
    }
    assert set(values) == set(ENV.values())
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    got = settings()
    assert got.runs_dir == tmp_path and got.runner == "process" and got.max_jobs == 3
    assert (got.uploads_mb, got.desk_uploads_mb, got.desk_quota_mb) == (50, 20, 300)
    assert got.max_job_minutes == 2.5 and got.job_minutes == 2.5 and got.warmup is False
    assert got.ray_address == "10.0.0.1:6379" and got.ray_token_auth
    assert got.lessons_dir == tmp_path / "lessons" and got.tfds_data_dir == str(tmp_path / "tfds")
    assert got.keras_home == tmp_path / "keras"
    assert got.classroom and got.class_code == "maple"
    assert got.teacher_code == "a-long-teacher-code"


def test_a_classroom_has_a_time_limit_by_default(monkeypatch):
    monkeypatch.delenv("CNNVIZ_MAX_JOB_MINUTES", raising=False)
    monkeypatch.setenv("CNNVIZ_CLASS_CODE", "maple")
    assert settings().job_minutes == 30.0


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("CNNVIZ_MAX_JOBS", "two", "a whole number of at least 1"),
        ("CNNVIZ_MAX_JOBS", "0", "a whole number of at least 1"),
        ("CNNVIZ_UPLOADS_MB", "-5", "megabytes"),
        ("CNNVIZ_MAX_JOB_MINUTES", "soon", "a number of minutes"),
        ("CNNVIZ_MAX_JOB_MINUTES", "nan", "a number of minutes"),
        ("CNNVIZ_TEACHER_CODE", "short", "at least 12 characters"),
    ],
)
def test_a_malformed_value_names_its_variable(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(CnnvizError, match=words) as caught:
        settings()
    assert f"Received: {name}=" in str(caught.value)
    if name == "CNNVIZ_TEACHER_CODE":  # a secret is never echoed
        assert value not in str(caught.value)


def test_settings_are_parsed_again_only_when_a_variable_changes(monkeypatch):
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "2")
    assert settings() is settings()
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "4")
    assert settings().max_jobs == 4


def test_no_other_module_reads_the_environment():
    reads = re.compile(r"os\.environ\.get|os\.getenv|os\.environ\[")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("cnnviz", "app_pages")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "settings.py" and reads.search(path.read_text(encoding="utf-8"))
    ]
    offenders += ["streamlit_app.py"] * bool(
        reads.search((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    )
    assert offenders == [], offenders
