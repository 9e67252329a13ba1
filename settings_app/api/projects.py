"""Palette's read of one project (v1ProjectsUidGet): what a script needs to find a project's uid
and name before it works in the project's scope."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ..permissions.api import api_project_to_enter
from .answers import answers
from .bodies import project_answer
from .schemas import ProjectModel

router = Router(tags=["projects"])

response, extra = answers({200: ProjectModel})


@router.get(
    "/projects/{uid}",
    response=response,
    openapi_extra=extra,
    operation_id="v1ProjectsUidGet",
    summary="Read one project",
    description="Any project of the key's tenant in which the key's user holds a role (on the "
    "project, on one of its clusters, or on the tenant).",
    exclude_none=True,
)
def read_project(request: HttpRequest, uid: str):
    return project_answer(api_project_to_enter(request.auth, uid).project)
