"""The forbidden-API guard, runtime half: runs in the learner's process around each recipe call.

Three nets, because each sees what the others miss:
- a TorchFunctionMode sees Python-level torch functions and Tensor methods however they were reached (an indirect
  `getattr(F, 'cross' + '_entropy')` included), and `torch.ops.*` packets called directly;
- a TorchDispatchMode sees aten ops after composite decompositions (CPU nn.LSTM reaches aten.mkldnn_rnn_layer, not
  aten.lstm; torchvision.ops.nms reaches torch.ops.torchvision.nms);
- wrappers on pure-Python callables that neither mode sees: nn.Module and torch.optim classes (their __init__, forward
  and step), and plain functions such as torch.optim._functional.adam or torchvision.ops.box_iou.
Only the names forbidden in the running task trip it; outside a recipe call it does nothing. The first hit is kept
(`violation`) even if the learner's code catches the ForbiddenCall it raises.

Training tasks: both modes cost a Python call per torch op, several times a small model's own cost. For training
tasks the modes watch until the recipe's first progress report (one full forward and backward of the learner's
model); the wrappers stay on throughout.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import types
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from grader.engine.harness import ForbiddenCall

Entry = tuple[str, str]  # (the manifest name that forbids it, the name shown to the learner)


def _resolve(name: str) -> Any:
    parts = name.split(".")
    if parts[:3] == ["torch", "ops", "torchvision"]:
        _import("torchvision")
    obj: Any = None
    for k in range(len(parts), 0, -1):
        if _import(".".join(parts[:k])):
            obj = sys.modules[".".join(parts[:k])]
            rest = parts[k:]
            break
    else:
        return None
    for part in rest:
        try:
            obj = getattr(obj, part)
        except Exception:  # a name that does not exist in this torch: nothing to guard
            return None
    return obj


def _import(module: str) -> bool:
    if module in sys.modules:
        return True
    try:
        importlib.import_module(module)
        return True
    except Exception:  # an attribute path, not a module
        return False


class RuntimeGuard:
    """Forbidden-API nets for one learner file; `watch(names)` arms them for one recipe call."""

    def __init__(self, learner_file: str):
        self.learner_file = os.path.realpath(learner_file)
        self._calls: dict[Any, list[Entry]] = {}  # objects the function mode sees
        self._ops: dict[Any, list[Entry]] = {}  # op packets the dispatch mode sees
        self._wrapped: dict[int, list[Entry]] = {}  # id(original function) -> its wrapper's entries
        self._classes: dict[type, list[Entry]] = {}  # wrapped classes -> their entries
        self._known: set[str] = set()
        self.current: dict[str, int] = {}  # forbidden names of the running task -> their rank in its list
        self.violation: tuple[str, str] | None = None
        self._modes: tuple[Any, Any] | None = None

    # --- registration -----------------------------------------------------------------------------------------

    def add_names(self, names: Iterable[str]) -> list[str]:
        """Register forbidden names (install wrappers where needed); returns the names that do not exist here."""
        unknown = []
        for name in names:
            if name in self._known:
                continue
            self._known.add(name)
            obj = _resolve(name)
            if obj is None:
                unknown.append(name)
            else:
                self._register(obj, (name, name))
        return unknown

    def _register(self, obj: Any, entry: Entry) -> None:
        if isinstance(obj, types.ModuleType):
            # Every function a forbidden module offers (torch.optim._functional.adam...), but not what it merely
            # imports from elsewhere in torch (Tensor, typing helpers).
            package = obj.__name__.rsplit(".", 1)[0]
            for attr, value in sorted(vars(obj).items()):
                if (not attr.startswith("_") and isinstance(value, types.FunctionType)
                        and str(getattr(value, "__module__", "")).startswith(package)):
                    self._register(value, (entry[0], f"{obj.__name__}.{attr}"))
            return
        if isinstance(obj, torch._ops.OpOverloadPacket):
            self._ops.setdefault(obj, []).append(entry)
            self._calls.setdefault(obj, []).append(entry)
            for overload in obj.overloads():
                self._calls.setdefault(getattr(obj, overload), []).append(entry)
            return
        if isinstance(obj, torch._ops.OpOverload):
            self._calls.setdefault(obj, []).append(entry)
            self._ops.setdefault(obj.overloadpacket, []).append(entry)
            return
        if isinstance(obj, type):
            self._wrap_class(obj, entry)
            return
        if isinstance(obj, types.FunctionType) and obj.__module__ != "torch.nn.functional":
            self._wrap_function(obj, entry)
        try:
            self._calls.setdefault(obj, []).append(entry)
        except TypeError:  # unhashable: only a wrapper can see it
            pass

    def _wrap_class(self, cls: type, entry: Entry) -> None:
        if cls in self._classes:
            self._classes[cls].append(entry)
            return
        entries = self._classes[cls] = [entry]
        methods = ["__init__"]
        if issubclass(cls, torch.nn.Module):
            methods.append("forward")
        if issubclass(cls, torch.optim.Optimizer):
            methods.append("step")
        for meth in methods:
            original = getattr(cls, meth, None)
            if original is not None:
                setattr(cls, meth, self._checking(original, entries))

    def _wrap_function(self, fn: types.FunctionType, entry: Entry) -> None:
        if id(fn) in self._wrapped:
            self._wrapped[id(fn)].append(entry)
            return
        entries = self._wrapped[id(fn)] = [entry]
        wrapper = self._checking(fn, entries)
        self._wrapped[id(wrapper)] = entries  # a second name for the same function resolves to the wrapper
        for modname, module in list(sys.modules.items()):
            if module is None or not modname.startswith(("torch", "torchvision")):
                continue
            try:
                names = [k for k, v in vars(module).items() if v is fn]
            except Exception:  # a module object without a plain namespace
                continue
            for k in names:
                setattr(module, k, wrapper)

    def _checking(self, original: Callable[..., Any], entries: list[Entry]) -> Callable[..., Any]:
        guard = self

        @functools.wraps(original)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if guard.current:
                guard._hit(entries)
            return original(*args, **kwargs)

        return checked

    # --- checking ----------------------------------------------------------------------------------------------

    def _hit(self, entries: Iterable[Entry]) -> None:
        # Name it as the task's forbidden list does first (torchvision.ops.nms rather than torchvision.ops.boxes.nms).
        ranked = [(self.current[name], shown) for name, shown in entries if name in self.current]
        if not ranked:
            return
        shown = min(ranked)[1]
        where = self._where()
        if self.violation is None:
            self.violation = (shown, where)
        raise ForbiddenCall(shown, where)

    def _where(self) -> str:
        frame = sys._getframe(2)
        while frame is not None:
            if os.path.realpath(frame.f_code.co_filename) == self.learner_file:
                return f"{os.path.basename(self.learner_file)}:{frame.f_lineno} in {frame.f_code.co_name}"
            frame = frame.f_back
        return ""

    def check_call(self, func: Any) -> None:
        """Function-mode check of one call."""
        try:
            entries = self._calls.get(func)
        except TypeError:
            return
        if entries:
            self._hit(entries)

    def check_op(self, func: Any) -> None:
        """Dispatch-mode check of one aten (or other namespace) op."""
        entries = self._ops.get(func.overloadpacket)
        if entries:
            self._hit(entries)

    @contextmanager
    def watch(self, forbidden: Iterable[str]) -> Iterator[None]:
        """Arm the nets for the names in `forbidden` for the duration of the block."""
        self.current = {name: i for i, name in reversed(list(enumerate(forbidden)))}
        self.violation = None
        if not self.current:
            yield
            return
        base_f = torch._C._len_torch_function_stack()
        base_d = torch._C._len_torch_dispatch_stack()
        fmode, dmode = _FunctionNet(self), _DispatchNet(self)
        fmode.__enter__()
        dmode.__enter__()
        self._modes = (fmode, dmode)
        try:
            yield
        finally:
            self._unwind(base_f, base_d)
            self._modes = None
            self.current = {}

    def relax(self) -> None:
        """Drop the two modes (training tasks, after the first progress report); the wrappers stay armed."""
        if self._modes is None:
            return
        fmode, dmode = self._modes
        from torch.overrides import _get_current_function_mode
        from torch.utils._python_dispatch import _get_current_dispatch_mode

        if _get_current_dispatch_mode() is dmode and _get_current_function_mode() is fmode:
            dmode.__exit__(None, None, None)
            fmode.__exit__(None, None, None)
            self._modes = None

    def _unwind(self, base_f: int, base_d: int) -> None:
        from torch.overrides import _pop_mode as pop_function_mode
        from torch.utils._python_dispatch import _get_current_dispatch_mode, _pop_mode as pop_dispatch_mode

        modes = self._modes
        while torch._C._len_torch_dispatch_stack() > base_d:
            top = _get_current_dispatch_mode()
            if modes is not None and top is modes[1]:
                top.__exit__(None, None, None)
            else:
                pop_dispatch_mode()
        while torch._C._len_torch_function_stack() > base_f:
            pop_function_mode()


class _FunctionNet(TorchFunctionMode):
    def __init__(self, guard: RuntimeGuard):
        super().__init__()
        self.guard = guard

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: D105 - torch's protocol
        self.guard.check_call(func)
        return func(*args, **(kwargs or {}))


class _DispatchNet(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps __torch_dispatch__ in a dynamo-disable shim that imports torch._dynamo on first use: seconds
        # of startup for nothing, since nothing is compiled in here.
        return False

    def __init__(self, guard: RuntimeGuard):
        super().__init__()
        self.guard = guard

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: D105 - torch's protocol
        self.guard.check_op(func)
        return func(*args, **(kwargs or {}))
