"""Loading plugins: built-ins, isolation of broken plugins, allow-lists, disabling, tracing."""

from __future__ import annotations

import pytest

from paraloom import ExecutorSpec, HashFunctionSpec, hookimpl
from paraloom.config import LoadingSettings
from paraloom.errors import PluginLoadError
from paraloom.manager import ParaloomPluginManager, build_plugin_manager
from paraloom.testing import PluginSite

GOOD_PLUGIN = """
from paraloom import hookimpl, HashFunctionSpec
from paraloom.crypto.hashes import hashlib_hash

@hookimpl
def paraloom_hash_functions():
    yield HashFunctionSpec(name="sha256-copy", summary="a copy", digest_size=32,
                           factory=lambda options: hashlib_hash("sha256"))
"""

BROKEN_ON_IMPORT = "raise ImportError('needs libfoo.so')\n"


def statuses(manager: ParaloomPluginManager) -> dict[str, str]:
    return {record.name: record.status for record in manager.records}


def test_builtins_load_through_their_entry_points(plugin_manager: ParaloomPluginManager) -> None:
    records = {record.name: record for record in plugin_manager.records}
    assert records["hashlib_hashes"].status == "active"
    assert records["hashlib_hashes"].builtin
    assert records["hashlib_hashes"].distribution == "paraloom"
    assert "paraloom_hash_functions" in records["hashlib_hashes"].hooks
    kinds = {(item.kind, item.spec.name) for item in plugin_manager.components}
    assert {("hash", "sha256"), ("hash", "blake2b"), ("transport", "memory")} <= kinds


def test_a_plugin_failing_on_import_is_isolated(plugin_site: PluginSite) -> None:
    plugin_site.install(
        "paraloom-broken", "0.3.1", {"broken": "broken_mod"}, {"broken_mod": BROKEN_ON_IMPORT}
    )
    plugin_site.install("paraloom-good", "1.0", {"good": "good_mod"}, {"good_mod": GOOD_PLUGIN})
    manager = build_plugin_manager(entry_points=plugin_site.entry_points())
    failed = {record.name: record for record in manager.failures}
    assert set(failed) == {"broken"}
    assert failed["broken"].distribution == "paraloom-broken"
    assert failed["broken"].version == "0.3.1"
    assert "ImportError: needs libfoo.so" in failed["broken"].reason
    assert statuses(manager)["good"] == "active"
    assert any(item.spec.name == "sha256-copy" for item in manager.components)


def test_on_error_fail_makes_startup_fail_naming_the_plugin(plugin_site: PluginSite) -> None:
    plugin_site.install(
        "paraloom-broken", "0.3.1", {"broken": "broken_mod"}, {"broken_mod": BROKEN_ON_IMPORT}
    )
    with pytest.raises(PluginLoadError, match=r"broken \(paraloom-broken 0\.3\.1\).*libfoo"):
        build_plugin_manager(LoadingSettings(on_error="fail"), plugin_site.entry_points())


def test_on_error_fail_passes_when_nothing_fails(plugin_site: PluginSite) -> None:
    plugin_site.install("paraloom-good", "1.0", {"good": "good_mod"}, {"good_mod": GOOD_PLUGIN})
    manager = build_plugin_manager(LoadingSettings(on_error="fail"), plugin_site.entry_points())
    assert statuses(manager)["good"] == "active"


def test_a_plugin_that_exits_on_import_is_isolated(plugin_site: PluginSite) -> None:
    plugin_site.install(
        "paraloom-exit",
        "1.0",
        {"quitter": "quitter_mod"},
        {"quitter_mod": "import sys\nsys.exit(3)\n"},
    )
    manager = build_plugin_manager(entry_points=plugin_site.entry_points())
    assert statuses(manager)["quitter"] == "failed"


def test_two_distributions_with_one_entry_point_name_do_not_crash(
    plugin_site: PluginSite,
) -> None:
    plugin_site.install("paraloom-first", "1.0", {"same": "first_mod"}, {"first_mod": GOOD_PLUGIN})
    plugin_site.install("paraloom-second", "2.0", {"same": "second_mod"}, {"second_mod": "X = 1\n"})
    manager = build_plugin_manager(entry_points=plugin_site.entry_points())
    outcomes = sorted(
        (record.distribution, record.status) for record in manager.records if record.name == "same"
    )
    assert [status for _, status in outcomes].count("active") == 1
    failure = next(record for record in manager.failures if record.name == "same")
    assert "already taken by paraloom-" in failure.reason


def test_a_plugin_implementing_an_unknown_hook_fails_alone(
    plugin_site: PluginSite,
) -> None:
    source = "from paraloom import hookimpl\n@hookimpl\ndef paraloom_no_such_hook():\n    pass\n"
    plugin_site.install("paraloom-typo", "1.0", {"typo": "typo_mod"}, {"typo_mod": source})
    manager = build_plugin_manager(entry_points=plugin_site.entry_points())
    failure = next(record for record in manager.failures if record.name == "typo")
    assert "paraloom_no_such_hook" in failure.reason
    assert "typo" not in {manager.get_name(plugin) for plugin in manager.get_plugins()}


class RaisingComponents:
    @hookimpl
    def paraloom_executors(self) -> list[ExecutorSpec]:
        raise RuntimeError("executor table corrupt")

    @hookimpl
    def paraloom_hash_functions(self) -> list[HashFunctionSpec]:
        return []


class WrongSpecType:
    @hookimpl
    def paraloom_executors(self) -> list[object]:
        return ["wasmtime"]


class NotIterable:
    @hookimpl
    def paraloom_executors(self) -> None:
        return None


@pytest.mark.parametrize(
    ("plugin", "reason"),
    [
        (RaisingComponents(), "RuntimeError: executor table corrupt"),
        (WrongSpecType(), "returned a str, expected ExecutorSpec"),
        (NotIterable(), "returned NoneType, expected an iterable"),
    ],
)
def test_a_component_hook_that_misbehaves_fails_its_plugin_only(
    plugin_manager: ParaloomPluginManager, plugin: object, reason: str
) -> None:
    record = plugin_manager.register_plugin(plugin, "bad")
    assert record.status == "failed"
    assert reason in record.reason
    assert not plugin_manager.is_registered(plugin)
    assert all(item.plugin != "bad" for item in plugin_manager.components)


@pytest.mark.parametrize("name", ["good", "paraloom-good", "Paraloom_Good"])
def test_disable_matches_entry_point_or_distribution_name(
    plugin_site: PluginSite, name: str
) -> None:
    plugin_site.install("paraloom-good", "1.0", {"good": "good_mod"}, {"good_mod": GOOD_PLUGIN})
    loading = LoadingSettings(disable=(name,))
    manager = build_plugin_manager(loading, plugin_site.entry_points())
    record = next(record for record in manager.records if record.name == "good")
    assert record.status == "disabled"
    assert "disable" in record.reason
    assert all(item.plugin != "good" for item in manager.components)


def test_builtins_can_be_disabled(plugin_site: PluginSite) -> None:
    manager = build_plugin_manager(
        LoadingSettings(disable=("memory_transport",)), plugin_site.entry_points()
    )
    assert statuses(manager)["memory_transport"] == "disabled"
    assert statuses(manager)["hashlib_hashes"] == "active"


def test_allow_list_mode_loads_only_listed_and_builtins(plugin_site: PluginSite) -> None:
    plugin_site.install("paraloom-good", "1.0", {"good": "good_mod"}, {"good_mod": GOOD_PLUGIN})
    plugin_site.install("paraloom-other", "1.0", {"other": "other_mod"}, {"other_mod": "X = 1"})
    loading = LoadingSettings(autoload=False, load=("paraloom-good",))
    manager = build_plugin_manager(loading, plugin_site.entry_points())
    found = statuses(manager)
    assert found["good"] == "active"
    assert found["other"] == "disabled"
    assert found["hashlib_hashes"] == "active"


def test_allow_list_mode_never_imports_unlisted_plugins(plugin_site: PluginSite) -> None:
    plugin_site.install(
        "paraloom-broken", "1.0", {"broken": "broken_mod"}, {"broken_mod": BROKEN_ON_IMPORT}
    )
    manager = build_plugin_manager(
        LoadingSettings(autoload=False, on_error="fail"), plugin_site.entry_points()
    )
    assert statuses(manager)["broken"] == "disabled"


def test_tracing_logs_hook_calls(
    plugin_site: PluginSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARALOOM_TRACE_PLUGINS", "1")
    manager = build_plugin_manager(entry_points=plugin_site.entry_points())
    manager.hook.paraloom_node_stopping(node_id="ab")
    err = capsys.readouterr().err
    assert "paraloom trace: paraloom_hash_functions() on plugin hashlib_hashes" in err
    assert "paraloom trace: paraloom_node_stopping(node_id=str)" in err


def test_only_paraloom_prefixed_attributes_are_hooks(
    plugin_manager: ParaloomPluginManager,
) -> None:
    class Helper:
        @hookimpl
        def not_a_hook(self) -> None:
            """A marked helper outside the prefix is ignored, not a validation error."""

    record = plugin_manager.register_plugin(Helper(), "helper")
    assert record.status == "active"
    assert record.hooks == ()


def test_event_observers_cannot_stop_the_caller(
    plugin_manager: ParaloomPluginManager, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[str] = []

    class Faulty:
        @hookimpl
        def paraloom_node_stopping(self, node_id: str) -> None:
            raise RuntimeError("metrics backend down")

    class Listener:
        @hookimpl
        def paraloom_node_stopping(self, node_id: str) -> None:
            heard.append(node_id)

    plugin_manager.register_plugin(Listener(), "listener")
    plugin_manager.register_plugin(Faulty(), "faulty")
    plugin_manager.notify("paraloom_node_stopping", node_id="ab12")
    assert heard == ["ab12"]
    assert "plugin faulty raised in paraloom_node_stopping" in caplog.text


def test_events_pass_only_the_arguments_an_observer_asks_for(
    plugin_manager: ParaloomPluginManager,
) -> None:
    seen: list[bool] = []

    class Partial:
        @hookimpl
        def paraloom_contribution_verified(self, valid: bool) -> None:
            seen.append(valid)

    plugin_manager.register_plugin(Partial(), "partial")
    plugin_manager.notify(
        "paraloom_contribution_verified", index=1, contribution_hash=b"\0" * 64, valid=True
    )
    assert seen == [True]
