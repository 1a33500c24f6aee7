"""The forbidden-API guard: the static scan of learner files (named corpus) and the runtime nets in a real learner
process (TorchFunctionMode, TorchDispatchMode and the wrappers), including indirect routes and allowed ops that
must not trip it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import torch

from grader.engine import catalog as catalogs
from grader.engine.guard import MISSING, ForbiddenSet, forbidden_message, resolve, scan_source
from grader.engine.harness import ForbiddenCall
from grader.engine.isolation import ChildSpec
from grader.engine.manifest import Task
from grader.engine.proxy import ChildLearner, ChildPool

TOY = Path(__file__).parent / "fixtures" / "grader_catalog"
SOFTMAX = ("torch.softmax", "torch.nn.functional.softmax", "torch.nn.functional.log_softmax", "torch.log_softmax",
           "torch.Tensor.softmax", "torch.Tensor.log_softmax", "torch.logsumexp", "torch.special.softmax",
           "torch.nn.Softmax", "torch.ops.aten._softmax", "torch.ops.aten._log_softmax", "torch.ops.aten.logsumexp")
CE = ("torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss", "torch.nn.CrossEntropyLoss",
      "torch.ops.aten.nll_loss_forward") + SOFTMAX
RNN = ("torch.nn.RNN", "torch.nn.RNNCell", "torch.nn.LSTM", "torch.nn.LSTMCell", "torch.rnn_tanh_cell", "torch.lstm",
       "torch.ops.aten.lstm", "torch.ops.aten.mkldnn_rnn_layer", "torch.ops.aten.rnn_tanh_cell")
OPTIM = ("torch.optim.SGD", "torch.optim.Adam", "torch.optim._functional", "torch.optim.adam.adam",
         "torch.ops.aten._fused_adam_")
CONV = ("torch.nn.functional.conv2d", "torch.conv2d", "torch.convolution", "torch.nn.Conv2d",
        "torch.ops.aten.convolution", "torch.ops.aten.mkldnn_convolution", "torch.ops.aten._slow_conv2d_forward")
NMS = ("torchvision.ops.nms", "torchvision.ops.boxes.nms", "torch.ops.torchvision.nms")


def task(names: tuple[str, ...], forbidden: tuple[str, ...], tid: str = "26.2") -> Task:
    return Task(id=tid, title="t", names=names, hints=(), forbidden=forbidden)


# --- static ----------------------------------------------------------------------------------------------------

STATIC = {
    "getattr with concatenated name": (
        "import torch.nn.functional as F\ndef f(x, t):\n    return getattr(F, 'cross' + '_entropy')(x, t)\n",
        CE, {"torch.nn.functional.cross_entropy"}),
    "from-import alias of the module": (
        "from torch.nn import functional as F\ndef f(x):\n    return F.log_softmax(x, 1)\n",
        CE, {"torch.nn.functional.log_softmax"}),
    "aten op called directly": (
        "import torch\ndef f(x):\n    return torch.ops.aten._log_softmax(x, 1, False)\n",
        CE, {"torch.ops.aten._log_softmax"}),
    "aten overload called directly": (
        "import torch\ndef f(x):\n    return torch.ops.aten._softmax.default(x, 1, False)\n",
        CE, {"torch.ops.aten._softmax"}),
    "module-level alias of a function": (
        "import torch\nsm = torch.softmax\ndef f(x):\n    return sm(x, -1)\n", CE, {"torch.softmax"}),
    "tensor method on a parameter": ("def f(x):\n    return x.log_softmax(-1)\n", CE, {"torch.Tensor.log_softmax"}),
    "helper used transitively": (
        "import torch\ndef _lse(x):\n    return torch.logsumexp(x, 1)\ndef _mid(x):\n    return _lse(x)\n"
        "def f(x):\n    return x - _mid(x)\n", CE, {"torch.logsumexp"}),
    "nn module class in a class": (
        "import torch.nn as nn\nclass f(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.rnn = nn.LSTM(3, 4)\n", RNN, {"torch.nn.LSTM"}),
    "class reached by its defining module": (
        "from torch.nn.modules.rnn import LSTM\ndef f():\n    return LSTM(3, 4)\n", RNN, {"torch.nn.LSTM"}),
    "f-string name": ("import torch.nn.functional as F\ndef f(x):\n    return getattr(F, f\"{'soft'}max\")(x, 1)\n",
                      CE, {"torch.nn.functional.softmax"}),
    "joined name": ("import torch.nn.functional as F\ndef f(x):\n    return getattr(F, ''.join(['log_', 'softmax']))(x)\n",
                    CE, {"torch.nn.functional.log_softmax"}),
    "reversed name": ("import torch.nn.functional as F\ndef f(x):\n    return getattr(F, 'xamtfos'[::-1])(x, 1)\n",
                      CE, {"torch.nn.functional.softmax"}),
    "constant bound to a name": (
        "import torch.nn.functional as F\nNAME = 'cross_' + 'entropy'\ndef f(x, t):\n    return getattr(F, NAME)(x, t)\n",
        CE, {"torch.nn.functional.cross_entropy"}),
    "module __dict__": ("import torch\ndef f(x):\n    return torch.__dict__['softmax'](x, 1)\n", CE, {"torch.softmax"}),
    "vars of a module": ("import torch.nn.functional as F\ndef f(x):\n    return vars(F)['softmax'](x, 1)\n",
                         CE, {"torch.nn.functional.softmax"}),
    "importlib": ("import importlib\ndef f(x):\n    return importlib.import_module('torch.nn.functional').softmax(x, 1)\n",
                  CE, {"torch.nn.functional.softmax"}),
    "star import": ("from torch.nn.functional import *\ndef f(x):\n    return softmax(x, 1)\n", CE,
                    {"torch.nn.functional.softmax"}),
    "import inside the function": ("def f(x):\n    from torch.nn.functional import nll_loss\n    return nll_loss\n", CE,
                                   {"torch.nn.functional.nll_loss"}),
    "forbidden module prefix": (
        "from torch.optim import _functional as OF\ndef f(p):\n    return OF.adam\n", OPTIM, {"torch.optim._functional", "torch.optim.adam.adam"}),
    "optimizer subclassing a forbidden class": (
        "import torch\nclass f(torch.optim.SGD):\n    pass\n", OPTIM, {"torch.optim.SGD"}),
    "rnn cell function": ("import torch\ndef f(x, h, a, b):\n    return torch.rnn_tanh_cell(x, h, a, b)\n", RNN,
                          {"torch.rnn_tanh_cell"}),
    "torchvision op and its other module": (
        "from torchvision.ops.boxes import nms\ndef f(b, s):\n    return nms(b, s, 0.5)\n", NMS,
        {"torchvision.ops.boxes.nms"}),
    # --- nothing to find -------------------------------------------------------------------------------------
    "own softmax called by name": (
        "import torch\ndef softmax(x, dim=-1):\n    e = (x - x.amax(dim, keepdim=True)).exp()\n    return e / e.sum(dim, keepdim=True)\n"
        "def f(x):\n    return softmax(x, 1).log()\n", CE, set()),
    "star import shadowed by own definition": (
        "from torch.nn.functional import *\ndef softmax(x, d):\n    return x\ndef f(x):\n    return softmax(x, 1)\n",
        CE, set()),
    "names in docstrings and strings only": (
        "def f(x):\n    '''Do not use F.cross_entropy or torch.softmax here.'''\n    note = 'torch.softmax'\n    return x\n",
        CE, set()),
    "unfold is allowed in conv2d": (
        "import torch.nn.functional as F\ndef f(x, w):\n    cols = F.unfold(x, 3)\n    return w.view(w.shape[0], -1) @ cols\n",
        CONV, set()),
    "own method named like a tensor method": (
        "class f:\n    def softmax(self, x):\n        return x\n    def __call__(self, x):\n        return self.softmax(x)\n",
        CE, set()),
    "allowed functional neighbours": (
        "import torch\nimport torch.nn.functional as F\ndef f(x):\n    return F.relu(x) + torch.sigmoid(x) + x.exp().sum(1, keepdim=True).log()\n",
        CE, set()),
}


@pytest.mark.parametrize("name", sorted(STATIC))
def test_static_scan_finds_forbidden_references(name):
    source, forbidden, expected = STATIC[name]
    found = scan_source(source, [task(("f",), forbidden)])["26.2"]
    assert {f.api for f in found} == expected, found


def test_static_findings_go_to_the_tasks_that_use_them():
    source = ("import torch\ndef _lse(x):\n    return torch.logsumexp(x, 1)\n"
              "def a(x):\n    return x - _lse(x)\ndef b(x):\n    return x * 2\n")
    result = scan_source(source, [task(("a",), CE, "26.1"), task(("b",), CE, "26.2"), task(("a",), (), "26.3")])
    assert [f.api for f in result["26.1"]] == ["torch.logsumexp"]
    assert result["26.1"][0].line == 3
    assert result["26.2"] == [] and result["26.3"] == []


def test_static_finding_message_names_the_call_and_line():
    found = scan_source(STATIC["getattr with concatenated name"][0], [task(("f",), CE, "26.2")])["26.2"]
    message = found[0].message("26.2", "26_cross_entropy.py")
    assert message.startswith("26.2 used torch.nn.functional.cross_entropy (forbidden: ")
    assert "26_cross_entropy.py:3: getattr(F, 'cross' + '_entropy')" in message


def test_forbidden_message_format():
    assert forbidden_message("27.2", "torch.nn.LSTM") == "27.2 used torch.nn.LSTM (forbidden: write the recurrence yourself)"


def test_syntax_error_propagates():
    with pytest.raises(SyntaxError):
        scan_source("def f(:\n", [task(("f",), CE)])


def test_names_are_matched_by_identity():
    fset = ForbiddenSet(["torch.nn.LSTM", "torch.special.softmax"])
    assert fset.match("torch.nn.modules.rnn.LSTM") == "torch.nn.LSTM"
    assert fset.match("torch.nn.modules.rnn.LSTM.forward") == "torch.nn.LSTM"
    assert fset.match("torch.softmax") is None  # a different function from torch.special.softmax


def test_every_forbidden_name_in_the_manifest_exists():
    """A name that does not exist guards nothing: each must resolve in this torch/torchvision."""
    missing = sorted({n for t in catalogs.builtin().topics for task_ in t.tasks for n in task_.forbidden
                      if resolve(n) is MISSING})
    assert missing == [], f"forbidden names that do not exist in torch {torch.__version__}: {missing}"


# --- runtime (in a real learner process) -----------------------------------------------------------------------

LEARNER = '''
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

def via_getattr(x, t):
    return getattr(F, "".join(["cross", "_entropy"]))(x, t)

def via_aten(x):
    return torch.ops.aten._log_softmax(x, 1, False)

def via_aten_overload(x):
    return torch.ops.aten._softmax.default(x, 1, False)

def via_method(x):
    return x.log_softmax(1)

def via_eval(x):
    return eval("torch." + "soft" + "max")(x, 1)

def lstm_module(x):
    return nn.LSTM(3, 4, batch_first=True)(x)[0]

class MyLSTM(nn.LSTM):
    pass

def lstm_subclass(x):
    return MyLSTM(3, 4, batch_first=True)(x)[0]

def lstm_functional(x):
    rnn = nn.LSTM(3, 4, batch_first=True)
    return rnn(x)[0]

def rnn_cell(x):
    h = torch.zeros(x.shape[0], 4)
    return torch.rnn_tanh_cell(x, h, torch.randn(4, 3), torch.randn(4, 4))

def sgd_step():
    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.ones(2)
    torch.optim.SGD([p], lr=0.1).step()
    return p.detach()

def nms(boxes, scores):
    return torchvision.ops.nms(boxes, scores, 0.5)

def swallowed(x):
    try:
        return F.softmax(x, 1)
    except Exception:
        e = (x - x.amax(1, keepdim=True)).exp()
        return e / e.sum(1, keepdim=True)

def manual_softmax(x):
    e = (x - x.amax(1, keepdim=True)).exp()
    return e / e.sum(1, keepdim=True)

def conv_by_unfold(x, w):
    cols = F.unfold(x, w.shape[-1])
    out = w.view(w.shape[0], -1) @ cols
    return out.view(x.shape[0], w.shape[0], x.shape[2] - w.shape[2] + 1, x.shape[3] - w.shape[3] + 1)
'''


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guard")
    path = folder / "guarded.py"
    path.write_text(LEARNER, encoding="utf-8")
    sys.path.insert(0, str(TOY))
    toy_recipes = importlib.import_module("topics.99_toy.recipes")

    spec = ChildSpec(workspace=folder, sys_path=(str(TOY),))
    pool = ChildPool(spec)
    pool.prestart()
    everything = sorted(set(CE + RNN + OPTIM + CONV + NMS + ("torch.ops.aten.mkldnn_rnn_layer",)))
    handle = ChildLearner(pool, path, everything, preload=["torchvision"])
    yield handle, toy_recipes
    handle.close()
    pool.close()


def _call(runtime, tid: str, forbidden: tuple[str, ...], name: str, *args):
    handle, recipes = runtime
    handle.set_task(task((name,), forbidden, tid))
    return handle.run(recipes.call_named, name, *args)


X = torch.randn(4, 5, generator=torch.Generator().manual_seed(0))
T = torch.tensor([0, 1, 2, 3])
SEQ = torch.randn(2, 6, 3, generator=torch.Generator().manual_seed(1))
BOXES = torch.tensor([[0.0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
SCORES = torch.tensor([0.9, 0.8, 0.7])

CAUGHT = {
    "getattr of a joined name": ("via_getattr", CE, (X, T), "torch.nn.functional.cross_entropy"),
    "aten packet": ("via_aten", CE, (X,), "torch.ops.aten._log_softmax"),
    "aten overload": ("via_aten_overload", CE, (X,), "torch.ops.aten._softmax"),
    "tensor method": ("via_method", CE, (X,), "torch.Tensor.log_softmax"),
    "eval of a built name": ("via_eval", CE, (X,), "torch.softmax"),
    "nn.LSTM": ("lstm_module", RNN, (SEQ,), "torch.nn.LSTM"),
    "subclass of nn.LSTM": ("lstm_subclass", RNN, (SEQ,), "torch.nn.LSTM"),
    "rnn_tanh_cell, invisible to dispatch": ("rnn_cell", RNN, (X[:, :3],), "torch.rnn_tanh_cell"),
    "CPU LSTM reaches mkldnn_rnn_layer": ("lstm_functional", ("torch.ops.aten.mkldnn_rnn_layer",), (SEQ,),
                                          "torch.ops.aten.mkldnn_rnn_layer"),
    "optimizer class": ("sgd_step", OPTIM, (), "torch.optim.SGD"),
    "torchvision nms": ("nms", NMS, (BOXES, SCORES), "torchvision.ops.nms"),
    "torchvision op behind nms": ("nms", ("torch.ops.torchvision.nms",), (BOXES, SCORES), "torch.ops.torchvision.nms"),
    "forbidden call swallowed by the learner": ("swallowed", CE, (X,), "torch.nn.functional.softmax"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CAUGHT))
def test_runtime_guard_catches_and_names(runtime, case):
    name, forbidden, args, api = CAUGHT[case]
    tid = f"9.{sorted(CAUGHT).index(case) + 1}"
    with pytest.raises(ForbiddenCall) as caught:
        _call(runtime, tid, forbidden, name, *args)
    assert caught.value.api == api
    assert "guarded.py:" in caught.value.where  # the learner's line


@pytest.mark.slow
def test_runtime_guard_lets_allowed_code_through(runtime):
    out = _call(runtime, "8.1", CE, "manual_softmax", X)
    torch.testing.assert_close(out, torch.softmax(X, 1))
    w = torch.randn(2, 4, 3, 3, generator=torch.Generator().manual_seed(2))
    img = torch.randn(1, 4, 6, 6, generator=torch.Generator().manual_seed(3))
    out = _call(runtime, "8.2", CONV, "conv_by_unfold", img, w)
    torch.testing.assert_close(out, torch.nn.functional.conv2d(img, w), rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_runtime_guard_lets_backward_of_allowed_ops_through(runtime):
    handle, recipes = runtime
    handle.set_task(task(("manual_softmax",), CE, "8.3"))
    got = handle.run(recipes.call_named_backward, "manual_softmax", X)
    x = X.clone().requires_grad_(True)
    torch.softmax(x, 1).sum().backward()
    torch.testing.assert_close(got, x.grad)


@pytest.mark.slow
def test_runtime_guard_is_per_task(runtime):
    # nn.LSTM is forbidden in 27.x, not in a task whose list is empty
    out = _call(runtime, "8.4", (), "lstm_module", SEQ)
    assert out.shape == (2, 6, 4)
