"""The built-in circuits: ``withdraw``, keyed by the ceremony recorded in ceremony/withdraw/."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paraloom.components import CircuitSpec
from paraloom.hookspecs import hookimpl


def create_withdraw(options: Mapping[str, Any]) -> Any:
    from paraloom.circuits.shipped import ShippedCircuit
    from paraloom.circuits.withdraw import PUBLIC_INPUTS, withdraw_circuit, withdraw_shape

    return ShippedCircuit("withdraw", withdraw_circuit, withdraw_shape, PUBLIC_INPUTS)


@hookimpl
def paraloom_circuits() -> Iterator[CircuitSpec]:
    yield CircuitSpec(
        name="withdraw",
        summary="spend a pool note to a Solana account (depth-12 tree, 6 public inputs)",
        factory=create_withdraw,
    )
