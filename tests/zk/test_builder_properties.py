"""Laws that hold for every circuit the builder can make, checked on random programs."""

from __future__ import annotations

import io
from functools import partial

from hypothesis import given
from hypothesis import strategies as st

from paraloom.errors import CircuitError
from paraloom.formats.r1cs import R1cs, read_r1cs, write_r1cs
from paraloom.formats.wtns import Witness, read_wtns, write_wtns
from paraloom.math.fields import FR_MODULUS
from paraloom.zk.builder import Assignment, build_assignment, build_shape
from paraloom.zk.satisfiability import check_satisfied

from .builder_programs import Program, programs, programs_with_inputs, run_program

elements = st.integers(0, FR_MODULUS - 1)


def solve(program: Program, inputs: dict[str, int]) -> Assignment:
    return build_assignment(partial(run_program, program), inputs)


def first_mention(assignment: Assignment, wire: int) -> int | None:
    """Index of the first constraint whose A, B or C mentions ``wire``."""
    for index, constraint in enumerate(assignment.shape.system.constraints):
        if any(wire in lc for lc in (constraint.a, constraint.b, constraint.c)):
            return index
    return None


@given(programs_with_inputs())
def test_own_witness_satisfies(case: tuple[Program, dict[str, int]]) -> None:
    assignment = solve(*case)
    report = check_satisfied(assignment.shape.system, assignment.witness, assignment.shape.names)
    assert report.ok, str(report)


@given(programs_with_inputs())
def test_shape_mode_gives_the_same_constraints(case: tuple[Program, dict[str, int]]) -> None:
    program, inputs = case
    assert build_shape(partial(run_program, program)) == solve(program, inputs).shape


@given(programs_with_inputs())
def test_layout_is_circoms(case: tuple[Program, dict[str, int]]) -> None:
    program, inputs = case
    shape = solve(program, inputs).shape
    assert shape.system.n_public == shape.n_pub_out + program.n_public
    public_inputs = shape.names[1 + shape.n_pub_out : 1 + shape.system.n_public]
    private_inputs = shape.names[1 + shape.system.n_public :][: program.n_private]
    assert [*public_inputs, *private_inputs] == program.input_names
    outputs = shape.names[1 : 1 + shape.n_pub_out]
    assert all(name is not None and name.startswith("out") for name in outputs)


@given(programs_with_inputs(), st.data())
def test_tampering_with_a_computed_wire_fails_where_it_is_defined(
    case: tuple[Program, dict[str, int]], data: st.DataObject
) -> None:
    program, inputs = case
    assignment = solve(program, inputs)
    computed = [
        wire
        for wire in range(1, len(assignment.witness))
        if wire < 1 + assignment.shape.n_pub_out
        or wire >= 1 + assignment.shape.system.n_public + assignment.shape.n_prv_in
    ]
    if not computed:
        return
    wire = data.draw(st.sampled_from(computed))
    tampered = list(assignment.witness)
    tampered[wire] = data.draw(elements.filter(lambda v: v != assignment.witness[wire]))
    report = check_satisfied(assignment.shape.system, tampered)
    assert report.first_failure is not None
    assert report.first_failure.index == first_mention(assignment, wire)


@given(programs_with_inputs(), st.data())
def test_changed_input_passes_only_if_it_recomputes_to_the_same_witness(
    case: tuple[Program, dict[str, int]], data: st.DataObject
) -> None:
    """A satisfying witness is a function of the inputs: the checker accepts nothing else."""
    program, inputs = case
    if not inputs:
        return
    assignment = solve(program, inputs)
    name = data.draw(st.sampled_from(sorted(inputs)))
    wire = assignment.shape.names.index(name)
    changed = {**inputs, name: data.draw(elements.filter(lambda v: v != inputs[name]))}
    tampered = list(assignment.witness)
    tampered[wire] = changed[name]
    try:
        recomputed: tuple[int, ...] | None = solve(program, changed).witness
    except CircuitError:  # an inverse of zero: no witness exists for these inputs
        recomputed = None
    report = check_satisfied(assignment.shape.system, tampered)
    assert report.ok == (recomputed == tuple(tampered))
    if first_mention(assignment, wire) is None:
        assert report.ok, "an input in no constraint cannot be caught"


@given(programs)
def test_r1cs_round_trip(program: Program) -> None:
    shape = build_shape(partial(run_program, program))
    r1cs = R1cs.from_circuit(shape)
    stream = io.BytesIO()
    write_r1cs(stream, r1cs)
    stream.seek(0)
    back = read_r1cs(stream)
    assert back == r1cs
    assert back.constraint_system() == shape.system
    header = back.header
    assert (header.n_pub_out, header.n_pub_in, header.n_prv_in) == (
        shape.n_pub_out,
        shape.n_pub_in,
        shape.n_prv_in,
    )


@given(programs_with_inputs())
def test_witness_round_trip(case: tuple[Program, dict[str, int]]) -> None:
    assignment = solve(*case)
    stream = io.BytesIO()
    write_wtns(stream, Witness.from_fr_values(assignment.witness))
    stream.seek(0)
    assert read_wtns(stream).values == assignment.witness
