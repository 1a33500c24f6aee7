"""Request handling of the learner's process (see grader.engine.worker): load the learner's file, run recipes, answer."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from types import ModuleType, TracebackType
from typing import Any, Callable

import torch

_MAX_MESSAGE = 4000


class Server:
    """One learner module served over a pair of pipes."""

    def __init__(self, config: dict, protocol: Any, harness: Any, guard_class: Any, take_refusals: Callable):
        self.in_fd, self.out_fd = int(config["in_fd"]), int(config["out_fd"])
        self.protocol, self.harness = protocol, harness
        self.guard_class = guard_class
        self.take_refusals = take_refusals
        self.guard: Any = None
        self.module: ModuleType | None = None
        self.learner_file = ""

    def send(self, message: dict) -> None:
        """Write one frame to the grader."""
        self.protocol.write_frame(self.out_fd, self.protocol.encode(message))

    def receive(self) -> dict | None:
        """The grader's next request; None when the grader is gone."""
        payload = self.protocol.read_frame(self.in_fd)
        return None if payload is None else self.protocol.decode(payload)

    def prepare(self, request: dict) -> None:
        """Install the forbidden-API nets for the names the topic forbids (before any learner code runs)."""
        if self.guard is None:
            self.guard = self.guard_class(request["file"])
        self.guard.add_names(request.get("forbidden", []))

    def load(self, request: dict) -> None:
        """Execute the learner's file as a fresh module and say whether it loaded."""
        path = os.path.realpath(request["file"])
        self.learner_file = path
        self.guard.learner_file = path
        name = request.get("module") or "learner"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            prelude = request.get("prelude") or {}
            where = str(prelude.get("filename") or "<reference>")
            if prelude.get("before"):  # a drill: the reference without the drilled names, in the same namespace
                exec(compile(prelude["before"], where, "exec", dont_inherit=True), module.__dict__)
            spec.loader.exec_module(module)
            if prelude.get("after"):
                exec(compile(prelude["after"], where, "exec", dont_inherit=True), module.__dict__)
        except BaseException as error:  # noqa: BLE001 - whatever their file raises, including SystemExit
            self.module = None
            self.send({"kind": "load_error", **self._load_error(error)})
            return
        self.module = module
        self.send({"kind": "loaded", "refusals": self.take_refusals()})

    def serve(self) -> int:
        """Answer requests until told to exit or the grader goes away."""
        while True:
            request = self.receive()
            if request is None or request.get("op") == "exit":
                return 0
            if request.get("op") == "load":  # another file in the same process (the grader's own tests)
                for module in request.get("preload", []):
                    try:
                        __import__(module)
                    except Exception:  # noqa: BLE001 - refused or missing: the run that needs it will say so
                        pass
                self.take_refusals()  # the grader's own imports are not the learner's doing
                self.prepare(request)
                self.load(request)
            elif request.get("op") == "run":
                self.send(self.run(request))

    # --- one recipe call ----------------------------------------------------------------------------------------

    def run(self, request: dict) -> dict:
        """Run one recipe on the learner's module under the task's guard; the answer frame."""
        if self.module is None:
            return {"kind": "error", "type": "ImportError", "message": "the learner's file is not loaded",
                    "traceback": "", "not_implemented": False, "error_kind": "exception"}
        self.take_refusals()
        training = bool(request.get("training"))
        guard = self.guard

        def progress(step: int, total: int, loss: float | None = None) -> None:
            loss_value = None if loss is None else float(loss)
            self.send({"kind": "progress", "step": int(step), "total": int(total), "loss": loss_value})
            if training and step >= 1:
                guard.relax()

        self.harness.set_progress_sink(progress)
        answer: dict
        try:
            recipe = _find_recipe(request["recipe"])
            with guard.watch(request.get("forbidden", ())):
                result = recipe(self.module, *request.get("args", ()), **request.get("kwargs", {}))
            answer = {"kind": "result", "value": _plain(result)}
        except BaseException as error:  # noqa: BLE001 - the learner's code may raise anything, SystemExit included
            answer = self._error(error)
        finally:
            self.harness.set_progress_sink(None)
        refusals = self.take_refusals()
        if guard.violation is not None:
            api, where = guard.violation
            return {"kind": "forbidden", "api": api, "where": where}
        if refusals:
            return {"kind": "refused", "what": refusals[0]}
        return answer

    def _error(self, error: BaseException) -> dict:
        kind = "exception"
        if isinstance(error, SystemExit):
            kind = "exit"
        elif isinstance(error, MemoryError) or (isinstance(error, RuntimeError) and "allocate" in str(error)):
            kind = "memory"
        elif isinstance(error, RecursionError):
            kind = "recursion"
        frames = _frames(error.__traceback__)
        mine = [f for f in frames if f[0] == self.learner_file]
        not_implemented = isinstance(error, NotImplementedError)
        message = _message(error)
        if not_implemented and mine:
            message = f"{mine[-1][2]} raises NotImplementedError"
        return {
            "kind": "error",
            "type": type(error).__name__,
            "message": message,
            "traceback": _format(mine or frames[-1:]),
            "not_implemented": not_implemented,
            "error_kind": kind,
        }

    def _load_error(self, error: BaseException) -> dict:
        base = os.path.basename(self.learner_file)
        if isinstance(error, SyntaxError) and error.filename and os.path.realpath(error.filename) == self.learner_file:
            where = f"{base}:{error.lineno}"
            text = f"{where}: {type(error).__name__}: {error.msg}"
            if error.text:
                text += "\n    " + error.text.rstrip("\n")
            return {"message": text, "traceback": "", "line": error.lineno or 0}
        frames = _frames(error.__traceback__)
        mine = [f for f in frames if f[0] == self.learner_file]
        line = mine[-1][1] if mine else 0
        where = f"{base}:{line}" if line else base
        return {"message": f"{where}: {type(error).__name__}: {_message(error)}", "traceback": _format(mine),
                "line": line}


def _find_recipe(spec: dict) -> Callable[..., Any]:
    name = spec["module"]
    module = sys.modules.get(name)
    if module is None:
        try:
            module = importlib.import_module(name)
        except ImportError:
            path = spec.get("file")
            if not path:
                raise
            loader_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(loader_spec)  # type: ignore[arg-type]
            sys.modules[name] = module
            loader_spec.loader.exec_module(module)  # type: ignore[union-attr]
    obj: Any = module
    for part in spec["qualname"].split("."):
        obj = getattr(obj, part)
    return obj


def _plain(value: Any, depth: int = 0) -> Any:
    """The result as plain data the grader can load with weights_only (tensors detached and copied)."""
    if depth > 50:
        raise TypeError("the recipe's result is nested too deeply")
    if isinstance(value, torch.Tensor):
        if type(value) is not torch.Tensor:
            value = value.as_subclass(torch.Tensor)
        return value.detach().clone()
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, torch.dtype, torch.device,
                                           torch.Size)):
        return value
    if isinstance(value, dict):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v, depth + 1) for v in value)
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        return value.item()
    raise TypeError(f"a recipe returned a {type(value).__name__}, which cannot cross to the grader: only tensors, "
                    "numbers, strings, dtypes and lists/tuples/dicts of those can")


def _frames(tb: TracebackType | None) -> list[tuple[str, int, str, str]]:
    """(real path, line, qualified function name, source line) of each frame of a traceback."""
    import linecache

    out = []
    while tb is not None:
        code = tb.tb_frame.f_code
        path = os.path.realpath(code.co_filename)
        line = tb.tb_lineno
        out.append((path, line, getattr(code, "co_qualname", code.co_name), linecache.getline(path, line).strip()))
        tb = tb.tb_next
    return out


def _format(frames: list[tuple[str, int, str, str]]) -> str:
    if len(frames) > 12:  # deep recursion: the top and the bottom say it all
        frames = frames[:5] + [("", 0, f"... {len(frames) - 10} more frames ...", "")] + frames[-5:]
    lines = []
    for path, line, name, text in frames:
        if not path:
            lines.append(f"  {name}")
            continue
        lines.append(f'  File "{os.path.basename(path)}", line {line}, in {name}')
        if text:
            lines.append(f"    {text}")
    return "\n".join(lines)


def _message(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"your code called sys.exit({error.code!r})"
    text = str(error)
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + " ..."
