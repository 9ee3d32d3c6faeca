"""``/health``, ``/ready`` and ``/metrics`` (Prometheus text format) of one node.

``/health`` answers 200 while the process serves requests at all; ``/ready`` answers 200 once
the node can do its work (a coordinator always, a validator once registered) and 503 before.
Metrics are read from the node when scraped, so nothing has to remember to update them; each
node has its own registry, so several nodes in one process (a localnet, the tests) never mix
their figures. The proof-verification histogram is fed by consensus through
:meth:`NodeMetrics.observe_verification`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from paraloom.node.http import HttpRequest, HttpResponse

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class NodeReadings:
    """What the node reports at one scrape."""

    jobs_by_state: Mapping[str, int]
    peers: int
    coordinator: bool
    dropped: Mapping[str, int]
    nullifiers: int


class _NodeCollector(Collector):
    def __init__(self, read: Callable[[], NodeReadings]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        readings = self._read()
        jobs = GaugeMetricFamily("paraloom_jobs", "Compute jobs by state", labels=["state"])
        for state, count in sorted(readings.jobs_by_state.items()):
            jobs.add_metric([state], count)
        yield jobs
        yield GaugeMetricFamily("paraloom_peers", "Connected peers", value=readings.peers)
        yield GaugeMetricFamily(
            "paraloom_coordinator_role",
            "1 when this node holds the coordinator role",
            value=int(readings.coordinator),
        )
        dropped = CounterMetricFamily(
            "paraloom_dropped_frames", "Inbound traffic dropped, by reason", labels=["reason"]
        )
        for reason, count in sorted(readings.dropped.items()):
            dropped.add_metric([reason], count)
        yield dropped
        yield GaugeMetricFamily(
            "paraloom_nullifiers", "Spent nullifiers known to this node", value=readings.nullifiers
        )


class NodeMetrics:
    """The node's metric registry and the health endpoints' answers."""

    def __init__(self, read: Callable[[], NodeReadings], ready: Callable[[], bool]) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_NodeCollector(read))
        self._ready = ready
        self._verification = Histogram(
            "paraloom_proof_verification_seconds",
            "Time to verify a Groth16 proof",
            registry=self.registry,
        )

    def observe_verification(self, seconds: float) -> None:
        """Record one proof verification's latency."""
        self._verification.observe(seconds)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET":
            return HttpResponse.error(HTTPStatus.METHOD_NOT_ALLOWED, "only GET is served")
        if request.path == "/health":
            return HttpResponse.json(HTTPStatus.OK, {"status": "ok"})
        if request.path == "/ready":
            ready = self._ready()
            status = HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE
            return HttpResponse.json(status, {"ready": ready})
        if request.path == "/metrics":
            return HttpResponse(
                HTTPStatus.OK, generate_latest(self.registry), PROMETHEUS_CONTENT_TYPE
            )
        return HttpResponse.error(HTTPStatus.NOT_FOUND, f"no route {request.path}")
