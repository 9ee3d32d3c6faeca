"""`paraloom demo`: the components in this process, then a real localnet end to end.

The localnet's nodes are processes of their own with short intervals; they run jobs in the
clear and private, then vote on a withdrawal. A ceremony runs through the HTTP coordinator.
Everything lives in a temporary directory under the state directory, and every process the
demo starts is stopped before it returns, on errors and Ctrl-C too (:mod:`paraloom.demo`).
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from paraloom.cli.output import print_table, stdout_console
from paraloom.cli.session import Session
from paraloom.demo.ceremony import CeremonyOutcome, run_ceremony
from paraloom.demo.inprocess import demo_groth16, demo_hashes, demo_job, demo_pairing
from paraloom.demo.jobs import REPLICATION, JobOutcome, run_jobs
from paraloom.demo.network import node_names, nodes_left, running_localnet
from paraloom.demo.withdraw import WithdrawalOutcome, run_withdrawal
from paraloom.errors import DistributionError
from paraloom.localnet.processes import primary_node
from paraloom.localnet.state import state_dir
from paraloom.node.client import NodeClient
from paraloom.node.withdrawals import load_withdraw_proofs

JOBS_TIMEOUT = 60.0
VOTE_TIMEOUT = 20.0

#: (section, result, seconds) rows of the closing table.
Summary = list[tuple[str, str, float]]


@click.command("demo")
@click.pass_obj
def demo_command(session: Session) -> None:
    """Run the demo: components, a localnet running jobs, a ceremony and a withdrawal vote."""
    summary: Summary = []
    show_components(session)
    parent = state_dir()
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="demo-", dir=parent) as temporary:
        workdir = Path(temporary)
        outcomes = show_localnet(session, workdir, summary)
        done = _stopwatch(summary, "ceremony")
        done(ceremony_result(show_ceremony(session, workdir / "ceremony")))
    stdout_console().rule("summary")
    print_table("paraloom demo", ["section", "result", "seconds"], _summary_rows(summary))
    failed = [outcome.job_id for outcome in outcomes if outcome.state != "completed"]
    if failed:
        raise DistributionError(f"{len(failed)} demo job(s) did not complete: {', '.join(failed)}")


def show_components(session: Session) -> None:
    """The in-process sections: plugins, hashes, BN254, Groth16 and one WASM job."""
    console, registry = stdout_console(), session.registry
    console.rule("plugins and components")
    print_table(
        "components",
        ["kind", "name", "provider"],
        [[item.kind, item.spec.name, item.label] for item in registry.components()],
    )
    console.rule("hashes")
    print_table("digests of b'paraloom demo'", ["hash", "digest"], demo_hashes(registry))
    console.rule("BN254 and Groth16")
    backend = session.component("curve")
    console.print(demo_pairing(backend))
    for line in demo_groth16(backend):
        console.print(line)
    console.rule("compute in this process")
    console.print(demo_job(session.component("executor"), session.config.plugins.executor.name))


def show_localnet(session: Session, workdir: Path, summary: Summary) -> list[JobOutcome]:
    """Start the localnet, run the jobs and the withdrawal on it, and stop it."""
    console = stdout_console()
    console.rule("localnet: validator processes on loopback")
    done = _stopwatch(summary, "localnet")
    with running_localnet(workdir / "localnet", console.print) as layout:
        names = node_names(layout)
        primary = primary_node(layout)
        elected = names.get(primary.node_id, "?") if primary is not None else "none yet"
        done(f"{len(layout.nodes)} validators registered; {elected} elected primary coordinator")
        client = NodeClient(layout.entry.api_url)
        outcomes = show_jobs(client, workdir / "keys", names, summary)
        show_withdrawal(session, client, names, summary)
    left = nodes_left(layout)
    summary.append(("processes", f"{len(layout.nodes)} started, {len(left)} left running", 0.0))
    return outcomes


def show_jobs(
    client: NodeClient, keys_dir: Path, names: dict[str, str], summary: Summary
) -> list[JobOutcome]:
    console = stdout_console()
    console.rule(f"jobs: each on {REPLICATION} validators, private ones sealed to them")
    done = _stopwatch(summary, "jobs")
    outcomes = run_jobs(client, keys_dir, JOBS_TIMEOUT)
    done(_jobs_result(outcomes, names))
    print_table(
        "jobs",
        ["#", "guest", "private", "validators", "agreement", "result"],
        [
            [
                str(index),
                outcome.job.guest,
                "yes" if outcome.private else "no",
                ", ".join(names.get(node, node[:8]) for node in outcome.cohort),
                outcome.agreement,
                outcome.result,
            ]
            for index, outcome in enumerate(outcomes, 1)
        ],
    )
    return outcomes


def show_withdrawal(
    session: Session, client: NodeClient, names: dict[str, str], summary: Summary
) -> None:
    console = stdout_console()
    console.rule("withdrawal: deposit a note, prove the spend, validators vote")
    proofs = load_withdraw_proofs(session.registry, session.config)
    done = _stopwatch(summary, "withdrawal")
    outcome = run_withdrawal(client, proofs, names, VOTE_TIMEOUT)
    done(withdrawal_result(outcome))
    console.print(
        f"withdraw proof for {outcome.amount} lamports made in {outcome.prove_seconds:.1f}s "
        f"with the shipped keys; verifies: {outcome.proof_verified}"
    )
    console.print(outcome.vote)


def show_ceremony(session: Session, workdir: Path) -> CeremonyOutcome:
    console = stdout_console()
    console.rule("ceremony: phase 2 of a tiny circuit through the coordinator")
    workdir.mkdir()
    return run_ceremony(
        session.component("ceremony"), session.component("curve"), workdir, console.print
    )


def ceremony_result(outcome: CeremonyOutcome) -> str:
    return (
        f"{len(outcome.contribution_hashes)} contributions verified; "
        f"{outcome.transcript_entries} signed transcript entries verified"
    )


def withdrawal_result(outcome: WithdrawalOutcome) -> str:
    return f"proof verifies: {outcome.proof_verified}; {outcome.vote}"


def _jobs_result(outcomes: Sequence[JobOutcome], names: dict[str, str]) -> str:
    completed = [outcome for outcome in outcomes if outcome.state == "completed"]
    private = sum(outcome.private for outcome in completed)
    load = Counter(names.get(node, node[:8]) for outcome in outcomes for node in outcome.cohort)
    spread = ", ".join(f"{name} ran {count}" for name, count in sorted(load.items()))
    return f"{len(completed)} of {len(outcomes)} completed ({private} private); {spread}"


def _stopwatch(summary: Summary, section: str) -> Callable[[str], None]:
    """Starts timing a section; calling the result records it in the summary with the time."""
    started = time.monotonic()

    def done(result: str) -> None:
        summary.append((section, result, time.monotonic() - started))

    return done


def _summary_rows(summary: Summary) -> list[list[str]]:
    return [[section, result, f"{seconds:.1f}"] for section, result, seconds in summary]
