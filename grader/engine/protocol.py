"""The wire between the grader and the learner's process: length-prefixed frames of torch.save'd plain data.

A frame is an 8-byte big-endian length followed by that many bytes. Payloads are dicts of tensors, numbers, strings,
dtypes and containers of those, written with torch.save and read back with torch.load(weights_only=True) only: the
learner's process can send any bytes it likes, and weights_only never runs code from them.
"""

from __future__ import annotations

import io
import os
import struct
from typing import Any

HEADER = struct.Struct(">Q")
MAX_FRAME = 1 << 30  # a result bigger than 1 GiB is a broken or hostile child, not a tensor a check needs


class ProtocolError(Exception):
    """The other side sent something that is not a valid frame."""


def encode(message: Any) -> bytes:
    """The bytes of one frame's payload for `message`."""
    import torch

    buf = io.BytesIO()
    torch.save(message, buf)
    return buf.getvalue()


def decode(payload: bytes) -> Any:
    """The message in `payload`, read with torch.load(weights_only=True): never runs code from the bytes."""
    import torch

    try:
        return torch.load(io.BytesIO(payload), weights_only=True)
    except Exception as error:  # any failure to decode is the sender's fault: report it, never trust it
        raise ProtocolError(f"undecodable frame ({type(error).__name__}: {str(error)[:200]})") from None


def frame(payload: bytes) -> bytes:
    """Header + payload."""
    if len(payload) > MAX_FRAME:
        raise ProtocolError(f"frame of {len(payload)} bytes is over the {MAX_FRAME} byte limit")
    return HEADER.pack(len(payload)) + payload


def write_frame(fd: int, payload: bytes) -> None:
    """Write one whole frame to a blocking file descriptor."""
    data = memoryview(frame(payload))
    while data:
        n = os.write(fd, data)
        data = data[n:]


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes | None:
    """Read one whole frame from a blocking file descriptor; None at end of file."""
    header = _read_exactly(fd, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME:
        raise ProtocolError(f"frame of {length} bytes is over the {MAX_FRAME} byte limit")
    return _read_exactly(fd, length) if length else b""


class FrameBuffer:
    """Reassembles frames from chunks read without blocking (the parent's side)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Add bytes read from the pipe."""
        self._buf += chunk

    def pop(self) -> bytes | None:
        """The next complete frame's payload, or None until one is complete."""
        if len(self._buf) < HEADER.size:
            return None
        (length,) = HEADER.unpack_from(self._buf)
        if length > MAX_FRAME:
            raise ProtocolError(f"frame of {length} bytes is over the {MAX_FRAME} byte limit")
        end = HEADER.size + length
        if len(self._buf) < end:
            return None
        payload = bytes(self._buf[HEADER.size:end])
        del self._buf[:end]
        return payload
