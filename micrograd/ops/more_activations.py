"""More activation functions (PyTorch's), and `logsumexp`, `softmax`, `log_softmax`.

`gelu` (exact, or its tanh approximation), `silu`, `elu`, `selu`,
`softsign`, `hardtanh`, `mish`, `log_sigmoid`, each an op with analytic local
gradients written with ops (so every order is analytic) and PyTorch's
conventions at kinks: ``elu'(0) = alpha`` and ``selu'(0) = scale * alpha``
(the negative branch includes 0), ``hardtanh'`` is 0 at its bounds (unlike
`clamp`). Every form avoids overflow and cancellation: ``gelu`` uses ``erfc``
(no ``1 + erf`` near -1), its tanh form ``x sigmoid(2u)`` (no ``1 + tanh``).

`logsumexp` takes any number of inputs and is stable (the largest input is
taken out before exponentiating); `softmax` and `log_softmax` take a list of
Nodes and return a list, made of `exp`, `log`, ``+ - /`` with the largest
value taken out as a constant, so they too differentiate to every order.

Imports: `micrograd.ops.core`, `micrograd.ops.decorator`, `micrograd.ops.elementary`,
`micrograd.ops.activations`, `micrograd.ops.arithmetic`,
`micrograd.ops.mathfuncs`, `micrograd.ops.special`, `micrograd.ops.catalog`,
`micrograd.ops.methods`, `micrograd.node`, `micrograd.checks`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

from micrograd import checks
from micrograd.node import Node, NodeLike
from micrograd.ops import special
from micrograd.ops.activations import leaky_relu, maximum, minimum, relu, sigmoid, softplus
from micrograd.ops.arithmetic import absolute
from micrograd.ops.catalog import describe
from micrograd.ops.core import LocalGrads, Op, mark_trusted, value_of
from micrograd.ops.decorator import FunctionOp, op
from micrograd.ops.elementary import exp, tanh
from micrograd.ops.mathfuncs import erfc, log1p
from micrograd.ops.methods import install_method

Grad = float | Node
_ACTIVATIONS = "Activations"
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715
#: SELU's constants (Klambauer et al., 2017), as PyTorch has them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946




def _gelu_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    # Phi(x) + x phi(x)
    return (0.5 * erfc.apply(-x * _INV_SQRT2) + x * _INV_SQRT_2PI * exp.apply(-0.5 * (x * x)),)


def _gelu_forward(x: float) -> float:
    return x * (0.5 * math.erfc(-x * _INV_SQRT2))


def _gelu_tanh_forward(x: float) -> float:
    # 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3)
    u = _GELU_C * (x + _GELU_A * (x * x * x))
    return x * sigmoid.forward(2.0 * u)


def _gelu_tanh_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    value = value_of(x)
    if abs(value) > 100.0:
        # sigmoid(-2|u|) is below e^-71000: the derivative is 1 or 0 to rounding.
        return (1.0 if value > 0 else 0.0,)
    twice_u = 2.0 * _GELU_C * (x + _GELU_A * (x * x * x))
    slope = 2.0 * _GELU_C * (1.0 + 3.0 * _GELU_A * (x * x))
    s = sigmoid.apply(twice_u)
    return (s + x * slope * (s * sigmoid.apply(-twice_u)),)


gelu_tanh = op(
    _gelu_tanh_forward,
    grad=_gelu_tanh_grad,
    name="gelu_tanh",
    doc="GELU's tanh approximation, ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.",
)


class Gelu(FunctionOp):
    """The op `gelu`: exact by default, ``approximate="tanh"`` for the tanh form."""

    def __call__(self, *args: NodeLike, approximate: str = "none") -> Node:
        """``gelu(x)`` or ``gelu(x, approximate="tanh")`` (PyTorch's keyword)."""
        if approximate == "tanh":
            return gelu_tanh(*args)
        if approximate != "none":
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return super().__call__(*args)


gelu = Gelu(
    _gelu_forward,
    grad=_gelu_grad,
    name="gelu",
    doc="""GELU, ``x Phi(x) = x erfc(-x / sqrt 2) / 2``; ``approximate="tanh"`` for the tanh form.

    >>> import micrograd as mg
    >>> round(mg.gelu(1.0).data, 10), round(mg.gelu(1.0, approximate="tanh").data, 10)
    (0.8413447461, 0.8411919906)
    """,
)


def _silu_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (sigmoid.apply(x) * (1.0 + x * sigmoid.apply(-x)),)


@op(grad=_silu_grad)
def silu(x: float) -> float:
    """SiLU (swish), ``x sigmoid(x)``."""
    return x * sigmoid.forward(x)


class Elu(Op):
    """ELU with a fixed `alpha` (see `elu`)."""

    name = "elu"
    arity = 1

    def __init__(self, alpha: float = 1.0, scale: float = 1.0) -> None:
        self.alpha = alpha
        self.scale = scale
        if scale != 1.0:
            self.name = "selu"

    def forward(self, x: float) -> float:
        """``scale x`` for x > 0, else ``scale alpha (exp(x) - 1)``."""
        if x > 0:
            return self.scale * x
        return self.scale * (self.alpha * math.expm1(x))

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """``scale`` for x > 0, else ``scale alpha exp(x)`` (so ``scale alpha`` at 0)."""
        if value_of(x) > 0:
            return (self.scale,)
        return (self.scale * (self.alpha * exp.apply(x)),)


@functools.lru_cache(maxsize=64)
def _elu_op(alpha: float, scale: float = 1.0) -> Elu:
    made = Elu(alpha, scale)
    mark_trusted(made)
    return made


def elu(x: NodeLike, alpha: float = 1.0) -> Node:
    """ELU: `x` for x > 0, else ``alpha (exp(x) - 1)``; ``elu'(0) = alpha`` (PyTorch's).

    >>> import micrograd as mg
    >>> mg.elu(2.0).data, round(mg.elu(-1.0).data, 12)
    (2.0, -0.632120558829)
    """
    return _elu_op(checks.setting(alpha, "elu", "alpha"))(x)


_selu = _elu_op(SELU_ALPHA, SELU_SCALE)


def selu(x: NodeLike) -> Node:
    """SELU, ``scale * elu(x, alpha)`` with its fixed constants; ``selu'(0) = scale * alpha``."""
    return _selu(x)


def _softsign_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    denominator = 1.0 + absolute.apply(x)
    return (1.0 / (denominator * denominator),)


@op(grad=_softsign_grad)
def softsign(x: float) -> float:
    """``x / (1 + |x|)``."""
    return x / (1.0 + abs(x))


class Hardtanh(Op):
    """`x` limited to ``[min_val, max_val]``, with PyTorch's hardtanh gradient (see `hardtanh`)."""

    name = "hardtanh"
    arity = 1

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        self.min_val = min_val
        self.max_val = max_val

    def forward(self, x: float) -> float:
        """``min(max(x, min_val), max_val)``; NaN gives NaN."""
        if math.isnan(x):
            return x
        return min(max(x, self.min_val), self.max_val)

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """1 strictly inside the bounds (and at NaN), 0 at and beyond them: PyTorch's."""
        value = value_of(x)
        return (0.0 if value <= self.min_val or value >= self.max_val else 1.0,)


@functools.lru_cache(maxsize=64)
def _hardtanh_op(min_val: float, max_val: float) -> Hardtanh:
    made = Hardtanh(min_val, max_val)
    mark_trusted(made)
    return made


def hardtanh(x: NodeLike, min_val: float = -1.0, max_val: float = 1.0) -> Node:
    """`x` limited to ``[min_val, max_val]``; its gradient is 0 at the bounds (PyTorch's).

    >>> import micrograd as mg
    >>> mg.hardtanh(3.0).data, mg.grad(mg.hardtanh)(1.0), mg.grad(mg.hardtanh)(0.5)
    (1.0, 0.0, 1.0)
    """
    lower = checks.real(min_val, "hardtanh", "min_val")
    upper = checks.real(max_val, "hardtanh", "max_val")
    return _hardtanh_op(lower, upper)(x)


def _mish_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    t = tanh.apply(softplus.apply(x))
    return (t + x * (1.0 - t * t) * sigmoid.apply(x),)


@op(grad=_mish_grad)
def mish(x: float) -> float:
    """Mish, ``x tanh(softplus(x))``."""
    return x * math.tanh(softplus.forward(x))


def _log_sigmoid_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (sigmoid.apply(-x),)


@op(grad=_log_sigmoid_grad, name="log_sigmoid")
def log_sigmoid(x: float) -> float:
    """``log(sigmoid(x)) = -softplus(-x)``, without overflow or cancellation."""
    return -softplus.forward(-x)


#: PyTorch's spelling of `log_sigmoid`.
logsigmoid = log_sigmoid


def _log_probabilities(inputs: Sequence[NodeLike]) -> list[Grad]:
    """``log softmax(xs)_i``, written so that its derivatives keep relative accuracy.

    With `t` the largest input and ``r = sum_(j != t) exp(x_j - x_t)`` (each
    term at most 1: no overflow), ``log softmax_i = (x_i - x_t) - log1p(r)``
    and ``log softmax_t = -log1p(r)``. No input enters twice with opposite
    signs (``x_t - m - (x_t - m)`` would cancel in the adjoints of higher
    derivatives), and ``log1p`` keeps a small `r` exact.
    """
    values = [value_of(x) for x in inputs]
    top = max(range(len(values)), key=lambda i: (values[i], -i))
    if math.isnan(values[top]) or any(math.isnan(v) for v in values):
        top = next(i for i, v in enumerate(values) if math.isnan(v))
    pivot = inputs[top]
    rest: Grad = 0.0
    for i, x in enumerate(inputs):
        if i != top:
            rest = rest + exp.apply(x - pivot)
    log_total = log1p.apply(rest)
    return [0.0 - log_total if i == top else (x - pivot) - log_total for i, x in enumerate(inputs)]


def _logsumexp_grads(*args: NodeLike) -> LocalGrads:
    # the softmax of the inputs, as exp(log_softmax): see `softmax`
    return tuple(exp.apply(p) for p in _log_probabilities(args[:-1]))


@op(grad=_logsumexp_grads)
def logsumexp(x: float, *more: float) -> float:
    """``log(exp(x) + exp(y) + ...)`` of one or more inputs, without overflow.

    Its gradient is the softmax of the inputs.

    >>> import micrograd as mg
    >>> mg.logsumexp(1000.0, 1000.0).data == 1000.0 + math.log(2.0)
    True
    """
    return special.logsumexp((x, *more))


def _as_list(xs: Sequence[NodeLike], where: str) -> list[NodeLike]:
    if isinstance(xs, (Node, int, float, str, bytes)) or not isinstance(xs, Sequence):
        raise TypeError(f"{where}: expected a list of Nodes or numbers, got {checks.shown(xs)}")
    if not xs:
        raise ValueError(f"{where}: expected at least one input, got an empty list")
    return [
        x if isinstance(x, Node) else checks.real(x, where, f"xs[{i}]") for i, x in enumerate(xs)
    ]


def log_softmax(xs: Sequence[NodeLike]) -> list[Node]:
    """``x_i - logsumexp(xs)`` for each input: log-probabilities, stable for any inputs.

    >>> import micrograd as mg
    >>> [round(p.data, 12) for p in mg.log_softmax([0.0, 0.0])]
    [-0.69314718056, -0.69314718056]
    """
    return [_node(p) for p in _log_probabilities(_as_list(xs, "log_softmax"))]


def softmax(xs: Sequence[NodeLike]) -> list[Node]:
    """``exp(x_i - logsumexp(xs))`` for each input: probabilities summing to 1.

    >>> import micrograd as mg
    >>> [p.data for p in mg.softmax([0.0, 0.0])]
    [0.5, 0.5]
    """
    # exp of the log-probabilities: their derivatives keep relative accuracy
    # where a probability is near 1 (a quotient's would cancel in s - s*s).
    return [exp(x) for x in log_softmax(xs)]


def _node(value: Grad) -> Node:
    return value if isinstance(value, Node) else Node(value)


mark_trusted(gelu, gelu_tanh, silu, softsign, mish, log_sigmoid, logsumexp)

install_method("softsign", softsign, "`self / (1 + |self|)`.")
install_method("mish", mish, "Mish, `self * tanh(softplus(self))`.")
install_method("silu", silu, "SiLU, `self * sigmoid(self)`.")

# -- the function table -----------------------------------------------------------------

describe(gelu, name="gelu", group=_ACTIVATIONS, domain="all reals",
         derivative="Phi(x) + x phi(x)",
         kink='`gelu(x, approximate="tanh")` is `gelu_tanh`')  # fmt: skip
describe(gelu_tanh, name="gelu_tanh", group=_ACTIVATIONS, domain="all reals",
         derivative="s + 2 x u' s (1 - s), s = sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3)"
         )  # fmt: skip
describe(silu, name="silu", group=_ACTIVATIONS, method="x.silu()", domain="all reals",
         derivative="sigmoid(x) (1 + x sigmoid(-x))")  # fmt: skip
describe(elu, name="elu", group=_ACTIVATIONS, domain="all reals",
         derivative="1 for x > 0, else alpha exp(x)",
         kink="alpha at 0 (PyTorch's)")  # fmt: skip
describe(selu, name="selu", group=_ACTIVATIONS, domain="all reals",
         derivative="scale for x > 0, else scale alpha exp(x)",
         kink="scale alpha = 1.7581 at 0 (PyTorch's)")  # fmt: skip
describe(softsign, name="softsign", group=_ACTIVATIONS, method="x.softsign()",
         domain="all reals", derivative="1 / (1 + |x|)^2",
         kink="second derivative 0 at 0 (abs'(0) = 0)")  # fmt: skip
describe(hardtanh, name="hardtanh", group=_ACTIVATIONS, domain="all reals",
         derivative="1 inside (min_val, max_val), else 0",
         kink="0 at the bounds, 1 at NaN (PyTorch's)")  # fmt: skip
describe(mish, name="mish", group=_ACTIVATIONS, method="x.mish()", domain="all reals",
         derivative="t + x (1 - t^2) sigmoid(x), t = tanh(softplus(x))")  # fmt: skip
describe(log_sigmoid, name="log_sigmoid", aliases=("logsigmoid",), group=_ACTIVATIONS,
         domain="all reals", derivative="sigmoid(-x)")  # fmt: skip
describe(logsumexp, name="logsumexp", group="Reductions", domain="all reals, one or more inputs",
         derivative="d/dx_i = softmax(xs)_i",
         kink="+-inf when the largest input is +-inf")  # fmt: skip
describe(softmax, name="softmax", group="Reductions", domain="a list of one or more inputs",
         derivative="through exp(log_softmax(xs)_i)",
         kink="returns a list")  # fmt: skip
describe(log_softmax, name="log_softmax", group="Reductions",
         domain="a list of one or more inputs",
         derivative="through (x_i - x_t) - log1p(sum_(j != t) exp(x_j - x_t)), x_t the largest",
         kink="returns a list")  # fmt: skip

# The functions of `activations`, in the same table.
describe(sigmoid, name="sigmoid", group=_ACTIVATIONS, method="x.sigmoid()", domain="all reals",
         derivative="sigmoid(x) sigmoid(-x)")  # fmt: skip
describe(softplus, name="softplus", group=_ACTIVATIONS, method="x.softplus()",
         domain="all reals", derivative="sigmoid(x)")  # fmt: skip
describe(relu, name="relu", group=_ACTIVATIONS, method="x.relu()", domain="all reals",
         derivative="1 for x > 0, else 0", kink="0 at 0; 1 at NaN (PyTorch's)")  # fmt: skip
describe(leaky_relu, name="leaky_relu", group=_ACTIVATIONS, method="x.leaky_relu(slope)",
         domain="all reals", derivative="1 for x > 0, else negative_slope",
         kink="negative_slope at 0 and at NaN (PyTorch's)")  # fmt: skip
describe(maximum, name="maximum", group=_ACTIVATIONS, domain="all reals (x, y)",
         derivative="(1, 0) where x > y, (0, 1) where x < y",
         kink="(0.5, 0.5) at a tie; (1, 1) when either is NaN (PyTorch's)")  # fmt: skip
describe(minimum, name="minimum", group=_ACTIVATIONS, domain="all reals (x, y)",
         derivative="(1, 0) where x < y, (0, 1) where x > y",
         kink="(0.5, 0.5) at a tie; (1, 1) when either is NaN (PyTorch's)")  # fmt: skip
