"""/api/recordings: the recordings a user may hear, their metadata, and their audio streamed with HTTP range
requests (the console's player seeks with them).

A recording is named only by its public id, a random 128-bit token; its path is never shown. An unknown id,
a guessed one (a number, say) and another agent's recording all get the same 404, never a 403: nobody learns
that a recording they may not hear exists. Who hears what: see recordings.access.

Every listen is written to the ``recording_access`` audit log before the first byte is sent (one row per
playback: see recordings.listens). The audio of a recording whose call is still going on is a 409; of one the
retention period removed, a 410."""

import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from agent_console.auth import Principal
from agent_console.deps import ConsoleContext, Deps
from kernel.database import transaction
from kernel.errors import Conflict, NotFound, QingquanError, Unavailable
from recordings.access import audible_recording, audible_recordings
from recordings.byte_range import ByteRange, RangeNotSatisfiable, file_chunks, requested_range
from recordings.listens import record_listen
from recordings.models import Recording
from recordings.retention import inside

log = logging.getLogger(__name__)

AUDIO_TYPE = "audio/wav"


class RecordingInProgress(Conflict):
    code = "recording_in_progress"


class RecordingDeleted(QingquanError):
    code = "recording_deleted"
    http_status = 410


class RecordingFileUnavailable(Unavailable):
    code = "recording_file_unavailable"


def not_found() -> NotFound:
    """The one answer for an id that is unknown, malformed, or not the caller's to hear."""
    return NotFound("no such recording")


def recording_view(recording: Recording) -> dict[str, Any]:
    """A recording as clients see it: never its path."""
    playable = recording.deleted_at is None and recording.ended_at is not None
    return {"id": recording.public_id, "linkedid": recording.linkedid, "contact_id": recording.contact_id,
            "agent_id": recording.agent_id, "seat": recording.seat, "started_at": _iso(recording.started_at),
            "ended_at": _iso(recording.ended_at), "duration_seconds": recording.duration_seconds,
            "bytes": recording.bytes, "deleted_at": _iso(recording.deleted_at),
            "audio_url": f"/api/recordings/{recording.public_id}/audio" if playable else None}


def recording_router(ctx: ConsoleContext, deps: Deps) -> APIRouter:
    router = APIRouter(prefix="/api/recordings", tags=["recordings"])
    CurrentUser = Annotated[Principal, Depends(deps.principal)]
    Db = Annotated[Session, Depends(deps.session, scope="function")]
    directory = ctx.settings.recordings.directory

    @router.get("")
    def index(who: CurrentUser, db: Db, linkedid: Annotated[str | None, Query(max_length=64)] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        """The recordings the caller may hear, newest first: of one call (``linkedid``), or the latest."""
        return [recording_view(r) for r in audible_recordings(db, who, linkedid=linkedid, limit=limit)]

    @router.get("/{public_id}")
    def read(public_id: str, who: CurrentUser, db: Db) -> dict[str, Any]:
        recording = audible_recording(db, who, public_id)
        if recording is None:
            raise not_found()
        return recording_view(recording)

    @router.get("/{public_id}/audio", response_class=StreamingResponse,
                responses={206: {"description": "the requested byte range"},
                           416: {"description": "no byte of the file is in the requested range"}})
    def audio(public_id: str, who: CurrentUser, request: Request,
              range_header: Annotated[str | None, Header(alias="Range")] = None) -> Response:
        """The recording as WAV, whole (200) or one byte range (206). The listen is in the audit log before
        any byte is sent."""
        handle: BinaryIO | None = None
        size = 0
        try:
            with transaction(ctx.factory) as session:
                recording = audible_recording(session, who, public_id)
                if recording is None:
                    raise not_found()
                handle = _open_audio(recording, directory)
                size = os.fstat(handle.fileno()).st_size
                wanted = requested_range(range_header, size)
                served = wanted or ByteRange(0, size - 1)
                if served.length > 0:
                    record_listen(session, recording, user_id=who.user_id, client_ip=_client_ip(request),
                                  served=served, file_bytes=size, now=ctx.clock.now())
        except BaseException as exc:
            if handle is not None:
                handle.close()
            if isinstance(exc, RangeNotSatisfiable):
                return JSONResponse({"error": exc.code, "message": f"the recording has {size} bytes"},
                                    status_code=exc.http_status,
                                    headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
            raise
        headers = {"Accept-Ranges": "bytes", "Content-Length": str(served.length), "Cache-Control": "no-store",
                   "X-Content-Type-Options": "nosniff",
                   "Content-Disposition": f'inline; filename="recording-{recording.public_id}.wav"'}
        if wanted is not None:
            headers["Content-Range"] = wanted.content_range(size)
        return StreamingResponse(_stream(handle, served), status_code=206 if wanted else 200, headers=headers,
                                 media_type=AUDIO_TYPE)

    return router


def _open_audio(recording: Recording, directory: Path) -> BinaryIO:
    if recording.deleted_at is not None:
        raise RecordingDeleted("the retention period removed this recording")
    if recording.ended_at is None:
        raise RecordingInProgress("the call is still being recorded")
    path = Path(recording.path)
    if not inside(directory, path):
        log.warning("recording %s: %s is outside %s; not served", recording.public_id, path, directory)
        raise RecordingFileUnavailable("the recording's file is not available")
    try:
        return path.open("rb")
    except OSError as exc:
        log.warning("recording %s: cannot open %s: %s", recording.public_id, path, exc)
        raise RecordingFileUnavailable("the recording's file is not available") from exc


def _stream(handle: BinaryIO, served: ByteRange) -> Iterator[bytes]:
    with handle:
        yield from file_chunks(handle, served)


def _client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
