"""Numerical differentiation, the tutorial's way and micrograd's way.

The tutorial differentiates by nudging one input by eps = 1e-10 and dividing
(a forward difference). micrograd's ops do the same when they are not told
their derivative, but by default with a central difference whose step is
scaled to the input, which is about ten thousand times more accurate; the
analytic derivative, when an op states it, is exact.

Run: python examples/numerical_diff.py
"""

from __future__ import annotations

import micrograd as mg


def main() -> None:
    """Print the tutorial's derivatives under each scheme beside the exact values."""

    # f(x, y) = x**2 - 2*y: three versions of the same op.
    def f(x: float, y: float) -> float:
        return x**2 - 2 * y

    tutorial = mg.op(f, method="forward", eps=1e-10, name="f_tutorial")
    default = mg.op(f, name="f_central")
    richardson = mg.op(f, method="richardson", name="f_richardson")
    exact = mg.op(f, grad=lambda x, y, out: (2 * x, -2.0), name="f_exact")

    print("d/dx of x**2 - 2*y at (2, 0); exact value 4")
    for version in (tutorial, default, richardson, exact):
        value = mg.grad(version, argnums=0)(2.0, 0.0)
        print(f"  {version.name:<13} {value!r:<22} error {abs(value - 4.0):.1e}")

    # A custom ReLU, differentiable without writing its derivative.
    @mg.op(method="forward", eps=1e-10)
    def custom_relu(x: float) -> float:
        return 2 * x if x > 0 else 0.0

    print("\ncustom ReLU (2x for x > 0, else 0), the tutorial's scheme")
    for x in (1.0, -1.0):
        print(f"  slope at {x:+.0f}: {mg.grad(custom_relu)(x)!r}")

    # Composition needs no new derivative code: the chain rule combines the
    # local gradients of each op.
    composite = mg.grad(lambda x, y: custom_relu(tutorial(x, y)), argnums=(0, 1))
    print("\ncustom_relu(f(x, y)) by the chain rule over two numeric ops")
    for point in ((3.0, 2.0), (1.0, 2.0)):
        dx, dy = composite(*point)
        print(f"  at {point}: d/dx {dx!r}, d/dy {dy!r}")

    # micrograd's own ops state their derivatives, so this is exact.
    x, y = mg.Node(3.0, label="x"), mg.Node(2.0, label="y")
    z = mg.relu(x**2 - 2 * y) * 2
    z.backward()
    print(f"\nwith built-in ops: z = {z.data}, dz/dx = {x.grad}, dz/dy = {y.grad}  (exact)")


if __name__ == "__main__":
    main()
