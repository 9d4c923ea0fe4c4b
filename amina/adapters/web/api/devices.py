"""The reporting device, as it sees itself (``Authorization: Device <credential>``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from amina.adapters.web.api.person_auth import current_device
from amina.services.identity.sessions import BoundDevice

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])


class DeviceOut(BaseModel):
    id: str
    name: str
    platform: str
    bound_at: datetime


@router.get("/current", response_model=DeviceOut)
async def this_device(device: BoundDevice = Depends(current_device)) -> DeviceOut:
    """The device the credential belongs to, while it is the person's active reporting device;
    401 ``device_retired`` (translated) once another device was bound, 401 ``device_unknown``
    for a credential Amina never issued."""
    return DeviceOut(
        id=device.device_id, name=device.name, platform=device.platform, bound_at=device.bound_at
    )
