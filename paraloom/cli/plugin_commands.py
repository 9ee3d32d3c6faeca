"""`paraloom plugins` and `paraloom components`: what is installed and what is selected."""

from __future__ import annotations

from typing import Any

import click

from paraloom.cli.output import print_json, print_table
from paraloom.cli.session import Session
from paraloom.components import KIND_NAMES
from paraloom.manager import PluginRecord, ProvidedComponent
from paraloom.registry import Registry


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def plugins_command(session: Session, as_json: bool) -> None:
    """List plugins: name, version, status (active/disabled/failed), hooks and components.

    Plugins that failed to load are listed with their error; this command always lists, also
    under on_error = "fail", so that a broken installation can be diagnosed.
    """
    registry = session.registry_for_listing()
    documents = [_plugin_document(record, registry) for record in registry.manager.records]
    if as_json:
        failed = sum(1 for document in documents if document["status"] == "failed")
        print_json({"plugins": documents, "failed": failed})
        return
    rows = [
        [
            document["name"],
            f"{document['distribution']} {document['version']}".strip(),
            document["status"] + (f": {document['reason']}" if document["reason"] else ""),
            ", ".join(hook.removeprefix("paraloom_") for hook in document["hooks"]),
            ", ".join(f"{item['kind']}:{item['name']}" for item in document["components"]),
        ]
        for document in documents
    ]
    print_table("plugins", ["plugin", "distribution", "status", "hooks", "components"], rows)


def _plugin_document(record: PluginRecord, registry: Registry) -> dict[str, Any]:
    components = [
        {"kind": item.kind, "name": item.spec.name}
        for item in registry.components()
        if item.plugin == record.name and record.status == "active"
    ]
    return {
        "name": record.name,
        "distribution": record.distribution,
        "version": record.version,
        "status": record.status,
        "builtin": record.builtin,
        "reason": record.reason,
        "hooks": list(record.hooks),
        "components": components,
    }


@click.command("components")
@click.argument("kind", required=False, type=click.Choice(KIND_NAMES))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def components_command(session: Session, kind: str | None, as_json: bool) -> None:
    """List components by kind; the one the config selects is marked."""
    registry = session.registry
    selected = selected_components(session)
    documents = [
        _component_document(item, item_key(item) in selected) for item in registry.components(kind)
    ]
    if as_json:
        print_json({"components": documents})
        return
    rows = [
        [
            "*" if document["selected"] else "",
            document["kind"],
            document["name"],
            document["provider"],
            document["summary"],
        ]
        for document in documents
    ]
    print_table("components (* selected)", ["", "kind", "name", "provider", "summary"], rows)


def item_key(item: ProvidedComponent) -> tuple[str, str, str]:
    return item.kind, item.spec.name, item.plugin


def selected_components(session: Session) -> set[tuple[str, str, str]]:
    """The components the config in effect selects (names that resolve)."""
    chosen: set[tuple[str, str, str]] = set()
    for report in session.registry.check(session.config):
        if report.resolved is not None:
            chosen.add(item_key(report.resolved.provided))
    return chosen


def _component_document(item: ProvidedComponent, selected: bool) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "name": item.spec.name,
        "summary": item.spec.summary,
        "plugin": item.plugin,
        "distribution": item.distribution,
        "version": item.version,
        "provider": item.label,
        "selected": selected,
        "options": [
            {"key": option.key, "default": option.default, "help": option.help}
            for option in item.spec.options
        ],
    }
