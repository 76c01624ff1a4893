"""Dependencies as Annotated aliases; services live on app.state, set in the lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gyanpath.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    services.follow_published()  # another worker may have published a new snapshot (a content upload)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
