"""Standard survey templates shipped with the bot (package data, so they install)."""

from __future__ import annotations

from importlib import resources

from core.survey_spec import SurveySpec, from_yaml

TEMPLATES = ("trust_community",)


def template_text(name: str) -> str:
    if name not in TEMPLATES:
        raise KeyError(name)
    return (resources.files(__name__) / f"{name}.yaml").read_text(encoding="utf-8")


def template(name: str) -> SurveySpec:
    from dataclasses import replace

    return replace(from_yaml(template_text(name)), template=name)
