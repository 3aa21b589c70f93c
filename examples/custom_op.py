"""Write a custom op and unit-test it with gradcheck.

Two ways to add an op: decorate a float function with `@mg.op` (numeric local
gradients, or analytic ones with `grad=`), or subclass `mg.Op`. `mg.gradcheck`
compares what backward() computes with finite differences of the whole
function, so a wrong derivative formula is caught at once.

Run: python examples/custom_op.py
"""

from __future__ import annotations

import math

import micrograd as mg


# The smooth ReLU "GELU" (tanh approximation), with its derivative stated.
def _gelu(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def _gelu_grad(x: mg.NodeLike, out: mg.NodeLike) -> tuple[float | mg.Node]:
    # Written with operators and Op.apply, so it also works on Nodes (for
    # second derivatives).
    c = math.sqrt(2 / math.pi)
    inner = c * (x + 0.044715 * x**3)
    t = mg.tanh.apply(inner)
    return (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3 * 0.044715 * x**2),)


gelu = mg.op(_gelu, grad=_gelu_grad, name="gelu")


# An op with a parameter, as a subclass: the Huber loss of one residual.
class Huber(mg.Op):
    """`0.5 r**2` for |r| <= delta, else `delta * (|r| - 0.5 delta)`."""

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = delta

    def forward(self, r: float) -> float:
        if abs(r) <= self.delta:
            return 0.5 * r * r
        return self.delta * (abs(r) - 0.5 * self.delta)

    def local_grads(self, r: mg.NodeLike, out: mg.NodeLike) -> tuple[float | mg.Node]:
        if abs(float(r)) <= self.delta:
            return (r if isinstance(r, mg.Node) else float(r),)
        return (self.delta if float(r) > 0 else -self.delta,)


# A mistake on purpose: the derivative of sin(x) * x is not cos(x) * x.
wrong = mg.op(
    lambda x: math.sin(x) * x,
    grad=lambda x, out: (mg.cos.apply(x) * x,),
    name="sin_times_x",
)


def main() -> None:
    """Use the ops and check each with gradcheck."""
    x = mg.Node(0.8, label="x")
    y = gelu(x) * 3
    y.backward()
    print(f"gelu(0.8) = {gelu(0.8).data:.6f}, d(3 gelu)/dx = {x.grad:.6f}")

    for point in (-2.0, -0.3, 0.0, 0.7, 3.0):
        mg.gradcheck(gelu, point)
    print("gradcheck(gelu) passed at 5 points")
    print(f"second derivative of gelu at 0.7: {mg.grad(mg.grad(gelu))(0.7):.6f}")

    huber = Huber(delta=1.0)
    for point in (-3.0, -0.5, 0.25, 2.0):
        mg.gradcheck(huber, point)
    print("gradcheck(huber) passed at 4 points")

    try:
        mg.gradcheck(wrong, 1.2)
    except AssertionError as error:
        print("gradcheck caught the wrong derivative:")
        print(error)


if __name__ == "__main__":
    main()
