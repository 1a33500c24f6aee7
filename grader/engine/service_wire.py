"""Where the grading service listens and how its clients talk to it. Standard library only, and cheap to import: the
`grade` command's client (grader.cli.client) imports this and nothing heavier before it has its answer.

The service of one checkout and interpreter listens on <private dir>/grade-<key>.sock, where the private directory is
$TORCHPREP_RUNTIME_DIR, else $XDG_RUNTIME_DIR/torchprep, else /tmp/torchprep-<uid>: a directory owned by this user
with mode 0700 (created so; refused when it belongs to someone else or others may enter it), holding sockets of mode
0600. Both ends also check the peer's uid (SO_PEERCRED). Messages are frames: a 4-byte big-endian length, then that
many bytes of UTF-8 JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import sys
from pathlib import Path
from typing import Any

RUNTIME_ENV = "TORCHPREP_RUNTIME_DIR"
REPO_DIR = Path(__file__).resolve().parents[2]
_HEADER = struct.Struct(">I")
MAX_FRAME = 64 << 20


class ServiceUnavailable(Exception):
    """The service cannot be used here (no private directory, no socket support): grade without it."""


def chosen_dir() -> Path:
    """Where the private directory is (or would be), unchecked: learner processes may neither read nor write it."""
    chosen = os.environ.get(RUNTIME_ENV)
    if chosen:
        return Path(chosen)
    if os.environ.get("XDG_RUNTIME_DIR") and os.path.isdir(os.environ["XDG_RUNTIME_DIR"]):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "torchprep"
    return Path("/tmp") / f"torchprep-{os.getuid()}"


def runtime_dir(create: bool = True) -> Path:
    """The private directory of this user's grading services (made 0700 when missing; checked when present)."""
    path = chosen_dir()
    if create:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError as error:
            raise ServiceUnavailable(f"cannot create {path}: {error}") from None
    check_private(path)
    return path


def check_private(path: Path) -> None:
    """ServiceUnavailable unless `path` is a real directory of this user that nobody else may enter."""
    try:
        info = os.lstat(path)
    except OSError as error:
        raise ServiceUnavailable(f"{path}: {error}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise ServiceUnavailable(f"{path} is not a directory")
    if info.st_uid != os.getuid():
        raise ServiceUnavailable(f"{path} belongs to another user")
    if info.st_mode & 0o077:
        try:
            os.chmod(path, 0o700)  # ours, made by an older umask: close it
        except OSError as error:
            raise ServiceUnavailable(f"{path} is open to other users: {error}") from None


def service_key() -> str:
    """What tells one checkout's (and interpreter's) service from another's."""
    text = f"{REPO_DIR}\0{sys.executable}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def socket_path(folder: Path | None = None) -> Path:
    """The service's socket."""
    return (folder or runtime_dir()) / f"grade-{service_key()}.sock"


def lock_path(folder: Path | None = None) -> Path:
    """The lock the one running service of a key holds."""
    return (folder or runtime_dir()) / f"grade-{service_key()}.lock"


def log_path(folder: Path | None = None) -> Path:
    """The service's log (what it and its fork server print)."""
    return (folder or runtime_dir()) / f"grade-{service_key()}.log"


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end of a Unix socket."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def send(sock: socket.socket, message: Any) -> None:
    """Write one frame."""
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _read(sock: socket.socket, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> Any:
    """The next frame's message; None when the other side has closed (ValueError for a malformed frame)."""
    header = _read(sock, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ValueError(f"a frame of {length} bytes")
    data = _read(sock, length) if length else b""
    if data is None:
        return None
    return json.loads(data.decode("utf-8"))
